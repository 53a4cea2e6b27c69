// End to end: configs/fisher_lsst_wl.toml and configs/cl_mcmc.toml through the
// real CLI (the MCMC at reduced size), the tabulation task, and bad
// cosmological input refused before anything runs or rejected inside a run.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "cli_harness.hpp"

using orrery::test::kSourceDir;
using orrery::test::Workspace;

namespace {
const std::string kFisher = "'" + (kSourceDir / "configs/fisher_lsst_wl.toml").string() + "'";
const std::string kMcmc = "'" + (kSourceDir / "configs/cl_mcmc.toml").string() + "'";
/// A short MCMC: 2 chains of 300 warm-up and 500 kept steps.
const std::string kShortMcmc =
    " -q --set components.sampler.chains=2 --set components.sampler.warmup=300 --set components.sampler.steps=500 ";

/// `name value...` rows of a text file, '#' lines skipped.
std::vector<std::vector<std::string>> rows(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::vector<std::string> row;
    for (std::string t; ls >> t;) row.push_back(t);
    out.push_back(row);
  }
  return out;
}
}  // namespace

TEST_CASE("the LSST-Y1 cosmic-shear Fisher forecast runs and writes its products", "[e2e][cosmology][fisher]") {
  Workspace ws;
  const auto r = ws.orrery("run " + kFisher + " -q");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string dir = "runs/fisher_lsst_wl/";
  for (const char* f : {"fisher.txt", "fisher_inverse.txt", "errors.txt", "figures_of_merit.txt",
                        "ellipse_omega_c-sigma8.txt", "ellipse_w0-wa.txt", "summary.json"})
    CHECK(ws.exists(dir + f));
  const auto errors = rows(ws.read(dir + "errors.txt"));
  REQUIRE(errors.size() == 4);
  const std::vector<std::string> names = {"omega_c", "sigma8", "w0", "wa"};
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(errors[i][0] == names[i]);
    const double marginal = std::stod(errors[i][2]), conditional = std::stod(errors[i][3]);
    CHECK(conditional > 0.0);
    CHECK(marginal >= conditional);
  }
  // Weak lensing alone: w0 to a few tenths, wa to order unity.
  CHECK(std::stod(errors[2][2]) > 0.05);
  CHECK(std::stod(errors[2][2]) < 1.0);
  const auto foms = rows(ws.read(dir + "figures_of_merit.txt"));
  const double fom = std::stod(foms[0][1]);
  CHECK(fom > 1.0);
  CHECK(fom < 100.0);

  const auto summary = ws.json(dir + "summary.json");
  const auto& task = summary["tasks"]["fisher"];
  CHECK(task["plugin"] == "cosmology.fisher");
  CHECK(task["files"].size() == 10);  // four tables and six ellipses
  CHECK(std::stod(task["report"]["FoM(w0, wa)"].get<std::string>()) == Approx(fom).epsilon(1e-5));
  CHECK(task["report"].contains("sigma(wa)"));
}

TEST_CASE("cl_mcmc: the short chain's posterior agrees with the Fisher errors", "[e2e][cosmology][mcmc]") {
  Workspace ws;
  const auto r = ws.orrery("run " + kMcmc + kShortMcmc);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto summary = ws.json("runs/cl_mcmc/summary.json");
  const auto& sampler = summary["samplers"]["sampler"];
  CHECK(sampler["likelihood_nonfinite"] == 0);
  const auto errors = rows(ws.read("runs/cl_mcmc/errors.txt"));
  REQUIRE(errors.size() == 2);
  const double fiducial[2] = {0.25, 0.8};
  for (int k = 0; k < 2; ++k) {
    const auto& p = sampler["parameters"][k];
    const double fisher_sigma = std::stod(errors[static_cast<std::size_t>(k)][2]);
    INFO(p.dump() << " vs Fisher sigma " << fisher_sigma);
    // Noiseless mock data: the posterior sits on the fiducial. The bounds are
    // loose because a short chain on a curved posterior has a few tens of
    // effective samples.
    CHECK(std::abs(p["mean"].get<double>() - fiducial[k]) < 1.0 * fisher_sigma);
    CHECK(p["sd"].get<double>() > 0.6 * fisher_sigma);
    CHECK(p["sd"].get<double>() < 1.6 * fisher_sigma);
  }
}

TEST_CASE("an unphysical proposal inside a sampler is a rejection, not a crash", "[e2e][cosmology][mcmc]") {
  Workspace ws;
  // Prior reaching omega_c < 0: starting draws and proposals there give -infinity.
  const auto r = ws.orrery("run " + kMcmc + kShortMcmc + "--set parameters.omega_c.min=-2.0");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto summary = ws.json("runs/cl_mcmc/summary.json");
  CHECK(summary["samplers"]["sampler"]["likelihood_nonfinite"].get<int>() > 0);
}

TEST_CASE("bad cosmological input is refused before anything runs", "[e2e][cosmology][errors]") {
  Workspace ws;
  auto refused = [&](const std::string& args, const std::string& message) {
    const auto r = ws.orrery(args);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::StartsWith("error: ") && Catch::Contains(message));
    CHECK_FALSE(ws.exists("runs"));
  };
  refused("run " + kFisher + " -q --set parameters.h=-0.7", "h must be > 0");
  refused("run " + kFisher + " -q --set parameters.sigma8.fiducial=-0.8", "sigma8 must be > 0");
  refused("run " + kFisher + " -q --set parameters.omega_k=-0.8", "closed universe");
  ws.write("nz.txt", "0.0 0.0\n0.5 1.0\n1.0 -0.5\n");
  // A relative n(z) path in an override is taken from the config's folder, as for file options.
  const std::string nz = (ws.path() / "nz.txt").string();
  refused("run " + kFisher + " -q --set 'components.cells.tracers=[{ kind = \"shear\", nz = { file = \"" + nz + "\" } }]'",
          "negative n(z)");
  refused("run " + kFisher + " -q --set 'components.cells.tracers=[{ kind = \"shear\", nz = { file = \"none.txt\" } }]'",
          (kSourceDir / "configs/none.txt").string() + "' does not exist");
  refused("run " + kFisher + " -q --set 'components.cells.ell={ log = [20, 2000] }'", "[min, max, n]");
}

TEST_CASE("cosmology.tabulate writes background and power-spectrum tables", "[e2e][cosmology][tabulate]") {
  Workspace ws;
  const auto r = ws.orrery("run " + kFisher +
                           " -q --set components.tables.plugin=cosmology.tabulate --set components.tables.model=@cells "
                           "--only tables");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"background.txt", "power_linear.txt", "power_nonlinear.txt"})
    CHECK(ws.exists(std::string("runs/fisher_lsst_wl/") + f));
  const auto background = rows(ws.read("runs/fisher_lsst_wl/background.txt"));
  REQUIRE(background.size() == 101);
  CHECK(std::stod(background[20][0]) == Approx(1.0));
  CHECK(std::stod(background[20][1]) == Approx(3300).epsilon(0.05));  // χ(z = 1) in Mpc for h ≈ 0.68
}
