#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "cosmo_core/redshift_distribution.hpp"

using orrery::cosmo::RedshiftDistribution;
namespace fs = std::filesystem;

namespace {
double integral(const RedshiftDistribution& d, double power = 0) {
  // Fine trapezoid of z^power n(z) over the support.
  const int n = 200000;
  double s = 0;
  for (int i = 0; i <= n; ++i) {
    const double z = d.z_min() + (d.z_max() - d.z_min()) * i / n;
    s += (i == 0 || i == n ? 0.5 : 1.0) * std::pow(z, power) * d(z);
  }
  return s * (d.z_max() - d.z_min()) / n;
}
}  // namespace

TEST_CASE("analytic distributions are normalised with the right means", "[nz]") {
  const auto g = RedshiftDistribution::gaussian(1.0, 0.15);
  CHECK(integral(g) == Approx(1.0).epsilon(1e-6));
  CHECK(g.mean() == Approx(1.0).epsilon(1e-6));
  // Smail with alpha=2, beta=1.5, z0=0.3: <z> = z0 Γ((α+2)/β) / Γ((α+1)/β).
  const auto s = RedshiftDistribution::smail(2.0, 1.5, 0.3);
  CHECK(integral(s) == Approx(1.0).epsilon(1e-6));
  CHECK(s.mean() == Approx(0.3 * std::tgamma(4.0 / 1.5) / std::tgamma(3.0 / 1.5)).epsilon(1e-5));
  const auto d = RedshiftDistribution::delta(1.2);
  CHECK(d.is_delta());
  CHECK(d.mean() == 1.2);
}

TEST_CASE("tomographic bins hold equal numbers and add up to the parent", "[nz]") {
  const auto parent = RedshiftDistribution::smail(2.0, 1.5, 0.3);
  const auto sharp = RedshiftDistribution::tomographic_bins(parent, 5);
  REQUIRE(sharp.size() == 5);
  for (std::size_t b = 1; b < sharp.size(); ++b) CHECK(sharp[b].mean() > sharp[b - 1].mean());
  for (double z : {0.2, 0.5, 1.0, 2.0}) {
    double sum = 0;
    for (const auto& bin : sharp) sum += bin(z) / 5.0;  // each bin holds 1/5 of the galaxies
    CHECK(sum == Approx(parent(z)).epsilon(2e-2));
  }
  const auto smeared = RedshiftDistribution::tomographic_bins(parent, 3, 0.05);
  for (const auto& bin : smeared) CHECK(integral(bin) == Approx(1.0).epsilon(1e-5));
}

TEST_CASE("n(z) files are read, normalised and checked", "[nz]") {
  const fs::path file = fs::temp_directory_path() / "orrery-nz-test.txt";
  std::ofstream(file) << "# z n\n0.1 0\n0.2 2\n0.3, 2\n0.4 0\n";
  const auto d = RedshiftDistribution::from_file(file);
  CHECK(integral(d) == Approx(1.0).epsilon(1e-6));
  CHECK(d.mean() == Approx(0.25).epsilon(1e-12));
  std::ofstream(file) << "0.1 1\n0.2 -1\n";
  CHECK_THROWS_WITH(RedshiftDistribution::from_file(file), Catch::Contains("negative n(z)"));
  std::ofstream(file) << "# nothing\n";
  CHECK_THROWS_WITH(RedshiftDistribution::from_file(file), Catch::Contains("holds no data"));
  std::ofstream(file) << "0.1\n";
  CHECK_THROWS_WITH(RedshiftDistribution::from_file(file), Catch::Contains("line 1") && Catch::Contains("two columns"));
  std::ofstream(file) << "0.1 0\n0.2 0\n";
  CHECK_THROWS_WITH(RedshiftDistribution::from_file(file), Catch::Contains("zero everywhere"));
  fs::remove(file);
  CHECK_THROWS_WITH(RedshiftDistribution::from_file(file), Catch::Contains("cannot be read"));
}

TEST_CASE("the CCL histogram n(z) reads as a sampled function", "[nz]") {
  const auto d = RedshiftDistribution::from_file(fs::path(ORRERY_VALIDATION_DIR) / "ccl/nz/bin1_histo.txt");
  CHECK(d.z().size() == 200);
  CHECK(integral(d) == Approx(1.0).epsilon(1e-6));
}
