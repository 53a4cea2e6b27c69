// TARP (calibration/tarp.hpp): a calibrated Gaussian posterior gives an ECP
// curve on the diagonal, a biased one does not; the sign of the ATC tells a
// too-wide posterior from a too-narrow one.
#include <catch2/catch.hpp>

#include <cmath>

#include "calibration/tarp.hpp"
#include "gaussian_setup.hpp"
#include "orrery/error.hpp"

using namespace orrery::calibration;
using calibration_test::gaussian_setup;
using orrery::RandomStream;

TEST_CASE("tarp curve of a calibrated posterior follows the diagonal") {
  const Eigen::Index n = 500, L = 200;
  const auto s = gaussian_setup(n, L, 2, 0.0, 1.0, RandomStream(71));
  const TarpResult r = tarp(s.truths, s.draws, RandomStream(72));
  REQUIRE(r.ecp.size() == 101);
  CHECK(r.alpha(0) == 0.0);
  CHECK(r.alpha(100) == 1.0);
  CHECK(r.ecp(0) == 0.0);
  CHECK(r.references.rows() == n);
  // References lie in the truths' bounding box.
  for (Eigen::Index j = 0; j < 2; ++j) {
    CHECK(r.references.col(j).minCoeff() >= s.truths.col(j).minCoeff());
    CHECK(r.references.col(j).maxCoeff() <= s.truths.col(j).maxCoeff());
  }
  INFO("KS D " << r.ks_statistic << " p " << r.ks_pvalue << " ATC " << r.atc);
  // sup|ECP − α| within the 0.1 % point of the KS distribution (1.95/√N) plus
  // the discreteness of f (1/(L+1)); |ATC| ≤ ½ sup|ECP − α| + grid error.
  const double bound = 1.95 / std::sqrt(static_cast<double>(n)) + 1.0 / (L + 1);
  CHECK(r.ks_statistic < bound);
  CHECK(r.ks_pvalue > 1e-3);
  CHECK(std::abs(r.atc) < 0.5 * bound + 0.01);
  CHECK((r.ecp - r.alpha).cwiseAbs().maxCoeff() <= r.ks_statistic + 1e-12);
}

TEST_CASE("tarp detects a biased posterior") {
  // Draws shifted by 1.5 posterior sd in each parameter. Random reference
  // points see a bias only along their direction, so TARP needs a larger shift
  // than SBC to reach the same significance.
  const auto s = gaussian_setup(500, 200, 2, 1.5, 1.0, RandomStream(81));
  const TarpResult r = tarp(s.truths, s.draws, RandomStream(82));
  INFO("KS D " << r.ks_statistic << " p " << r.ks_pvalue << " ATC " << r.atc);
  CHECK(r.ks_pvalue < 1e-6);
  CHECK(r.ks_statistic > 0.15);
}

TEST_CASE("tarp area to curve tells wide from narrow posteriors") {
  const auto ws = gaussian_setup(500, 200, 2, 0.0, 2.0, RandomStream(91));
  const auto ns = gaussian_setup(500, 200, 2, 0.0, 0.5, RandomStream(93));
  const TarpResult wide = tarp(ws.truths, ws.draws, RandomStream(92));
  const TarpResult narrow = tarp(ns.truths, ns.draws, RandomStream(94));
  INFO("wide ATC " << wide.atc << " narrow ATC " << narrow.atc);
  CHECK(wide.atc > 0.05);
  CHECK(narrow.atc < -0.05);
  CHECK(wide.ks_pvalue < 1e-6);
  CHECK(narrow.ks_pvalue < 1e-6);
}

TEST_CASE("tarp is deterministic and honours given references") {
  const auto s = gaussian_setup(100, 50, 3, 0.0, 1.0, RandomStream(101));
  const TarpResult a = tarp(s.truths, s.draws, RandomStream(7));
  const TarpResult b = tarp(s.truths, s.draws, RandomStream(7));
  CHECK(a.coverage_values == b.coverage_values);
  CHECK(a.references == b.references);
  TarpOptions o;
  o.references = a.references;
  o.distance = TarpDistance::manhattan;
  o.normalisation = TarpNormalisation::z_score;
  const TarpResult c = tarp(s.truths, s.draws, RandomStream(8), o);
  CHECK(c.references == a.references);
  CHECK(c.coverage_values.minCoeff() >= 0.0);
  CHECK(c.coverage_values.maxCoeff() <= 1.0);
}

TEST_CASE("tarp rejects inconsistent input") {
  const auto s = gaussian_setup(20, 10, 2, 0.0, 1.0, RandomStream(111));
  auto draws = s.draws;
  draws[4] = Eigen::MatrixXd::Zero(10, 3);
  CHECK_THROWS_WITH(tarp(s.truths, draws, RandomStream(1)), Catch::Contains("simulation 4 have 3 columns"));
  TarpOptions o;
  o.references = Eigen::MatrixXd::Zero(19, 2);
  CHECK_THROWS_WITH(tarp(s.truths, s.draws, RandomStream(1), o), Catch::Contains("expected 20x2"));
  Eigen::MatrixXd truths = s.truths;
  truths(0, 0) = INFINITY;
  CHECK_THROWS_AS(tarp(truths, s.draws, RandomStream(1)), orrery::Error);
}
