// Expected HPD coverage (calibration/coverage.hpp): a calibrated Gaussian
// posterior covers at the nominal rate, a too-narrow one under-covers.
#include <catch2/catch.hpp>

#include <cmath>

#include "calibration/coverage.hpp"
#include "gaussian_setup.hpp"
#include "orrery/error.hpp"

using namespace orrery::calibration;
using calibration_test::gaussian_setup;
using orrery::RandomStream;

namespace {

// log q of every truth and draw under the estimated posterior N(μ_i + shift, scale² I), up to a constant.
void log_densities(const calibration_test::GaussianSetup& s, double shift, double scale, Eigen::VectorXd& truth,
                   Eigen::MatrixXd& draws) {
  const Eigen::Index n = s.truths.rows(), L = s.draws[0].rows();
  truth.resize(n);
  draws.resize(n, L);
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::RowVectorXd centre = s.centres.row(i).array() + shift;
    truth(i) = -0.5 * (s.truths.row(i) - centre).squaredNorm() / (scale * scale);
    for (Eigen::Index l = 0; l < L; ++l)
      draws(i, l) = -0.5 * (s.draws[static_cast<std::size_t>(i)].row(l) - centre).squaredNorm() / (scale * scale);
  }
}

}  // namespace

TEST_CASE("coverage of a calibrated posterior is nominal") {
  const Eigen::Index n = 2000, L = 200;
  const auto s = gaussian_setup(n, L, 2, 0.0, 1.0, RandomStream(51));
  Eigen::VectorXd truth;
  Eigen::MatrixXd draws;
  log_densities(s, 0.0, 1.0, truth, draws);
  const CoverageCurve c = expected_coverage(truth, draws, unit_grid(11));
  REQUIRE(c.empirical.size() == 11);
  CHECK(c.levels.size() == n);
  CHECK(c.empirical(10) == 1.0);
  for (Eigen::Index k = 1; k < 10; ++k) {
    INFO("nominal " << c.nominal(k) << " empirical " << c.empirical(k) << " se " << c.null_standard_error(k));
    // 4 binomial standard errors plus the discreteness bias of at most 1/(L + 1).
    CHECK(std::abs(c.empirical(k) - c.nominal(k)) <= 4.0 * c.null_standard_error(k) + 1.0 / (L + 1));
    CHECK(c.standard_error(k) == Approx(std::sqrt(c.empirical(k) * (1 - c.empirical(k)) / n)));
  }
}

TEST_CASE("coverage of an overconfident posterior is too low") {
  // The estimated posterior has half the true width: its HPD regions are too small.
  const Eigen::Index n = 1000, L = 100;
  const auto s = gaussian_setup(n, L, 2, 0.0, 0.5, RandomStream(61));
  Eigen::VectorXd truth;
  Eigen::MatrixXd draws;
  log_densities(s, 0.0, 0.5, truth, draws);
  const CoverageCurve c = expected_coverage(truth, draws, unit_grid(11));
  for (Eigen::Index k = 1; k < 10; ++k) {
    INFO("nominal " << c.nominal(k) << " empirical " << c.empirical(k));
    CHECK(c.empirical(k) < c.nominal(k) - 4.0 * c.null_standard_error(k));
  }
  // Analytic value at α = 0.5 for d = 2: P(χ²₂ ≤ 2 ln 2 / 4) = 1 − 2^{−1/4} ≈ 0.159.
  CHECK(c.empirical(5) == Approx(1.0 - std::pow(2.0, -0.25)).margin(4.0 * std::sqrt(0.16 * 0.84 / n) + 1.0 / (L + 1)));
}

TEST_CASE("coverage levels count strictly higher densities") {
  Eigen::VectorXd truth(2);
  truth << 0.0, -INFINITY;
  Eigen::MatrixXd draws(2, 4);
  draws << 1.0, -1.0, 0.0, 2.0,  //
      -INFINITY, 0.0, 1.0, -INFINITY;
  const Eigen::VectorXd levels = hpd_levels(truth, draws);
  CHECK(levels(0) == 0.5);
  CHECK(levels(1) == 0.5);
  draws(1, 2) = std::nan("");
  CHECK_THROWS_WITH(hpd_levels(truth, draws), Catch::Contains("draw 2 of simulation 1"));
  CHECK_THROWS_AS(hpd_levels(Eigen::VectorXd::Zero(3), draws), orrery::Error);
  CHECK_THROWS_AS(unit_grid(1), orrery::Error);
  CHECK_THROWS_AS(expected_coverage(truth, Eigen::MatrixXd::Zero(2, 4), Eigen::VectorXd::Constant(1, 1.5)),
                  orrery::Error);
}
