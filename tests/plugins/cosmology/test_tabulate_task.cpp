// cosmology.tabulate: its tables against cosmo_core evaluated directly.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "cosmo_core/background.hpp"
#include "cosmo_core/growth.hpp"
#include "cosmology_fixtures.hpp"
#include "tabulate_task.hpp"

using orrery::ValueTable;
using orrery::cosmology::TabulateTask;
using orrery::test::TestContext;
namespace ct = orrery::cosmology::test;
namespace fs = std::filesystem;
namespace cosmo = orrery::cosmo;

namespace {

std::vector<std::vector<double>> read_table(const fs::path& file) {
  std::ifstream in(file);
  REQUIRE(in.good());
  std::vector<std::vector<double>> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::vector<double> row;
    for (std::string t; ls >> t;) row.push_back(std::stod(t));
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

TEST_CASE("tabulate writes background, growth and P(k, z) of the fiducial cosmology", "[cosmology][tabulate]") {
  const auto parameters = ct::space({{"omega_c", 0.26}, {"sigma8", 0.82}, {"h", 0.7, ct::Declared::fixed}});
  const auto model = ct::build_model(ct::small_model_options(), parameters);
  TestContext ctx({{"model", "@cells"}, {"z", orrery::test::real_list({0.0, 1.0})}, {"k_points", 20}, {"z_points", 11}},
                  parameters, 1, "tabulate");
  ctx.apply_schema(TabulateTask::options());
  ctx.add_reference("model", *model);
  TabulateTask task(ctx);
  const fs::path dir = ctx.output_dir();
  fs::remove_all(dir);
  const orrery::Report report = task.run(ctx);
  CHECK(report.files == std::vector<std::string>{"background.txt", "power_linear.txt", "power_nonlinear.txt"});

  cosmo::CosmologyParams<double> p;
  p.omega_c = 0.26;
  p.sigma8 = 0.82;
  p.h = 0.7;
  p.omega_b = 0.0485;
  p.n_s = 0.971;
  const cosmo::Background<double> bg(p);
  const cosmo::Growth<double> growth(bg);
  const auto background = read_table(dir / "background.txt");
  REQUIRE(background.size() == 11);
  for (const auto& row : background) {
    REQUIRE(row.size() == 8);
    const double z = row[0];
    CHECK(row[1] == Approx(bg.comoving_radial_distance_z(z)).epsilon(1e-10));
    CHECK(row[2] == Approx(bg.angular_diameter_distance_z(z)).epsilon(1e-10));
    CHECK(row[3] == Approx(bg.luminosity_distance_z(z)).epsilon(1e-10));
    if (z > 0) CHECK(row[4] == Approx(bg.distance_modulus_z(z)).epsilon(1e-10));
    CHECK(row[5] == Approx(bg.H(1.0 / (1.0 + z))).epsilon(1e-10));
    CHECK(row[6] == Approx(growth.growth_factor(1.0 / (1.0 + z))).epsilon(1e-10));
    CHECK(row[7] == Approx(growth.growth_rate(1.0 / (1.0 + z))).epsilon(1e-10));
  }
  CHECK(std::isinf(background[0][4]));

  const cosmo::LinearPower<double> linear(p, cosmo::TransferModel::eisenstein_hu);
  const auto lin = read_table(dir / "power_linear.txt");
  const auto nl = read_table(dir / "power_nonlinear.txt");
  REQUIRE(lin.size() == 20);
  const double d1 = growth.growth_factor(0.5);
  for (std::size_t i = 0; i < lin.size(); ++i) {
    CHECK(lin[i][1] == Approx(linear(lin[i][0])).epsilon(1e-10));
    CHECK(lin[i][2] == Approx(linear(lin[i][0], d1)).epsilon(1e-10));
    CHECK(nl[i][1] >= 0.95 * lin[i][1]);  // halofit: at most a few per cent below linear on quasi-linear scales
  }
  CHECK(nl.back()[1] > 10 * lin.back()[1]);  // k = 20/Mpc is deep in the non-linear regime
  fs::remove_all(dir);
}
