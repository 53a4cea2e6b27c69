// SBC (calibration/sbc.hpp): ranks of a calibrated Gaussian posterior pass the
// KS and chi-square tests, a shifted posterior fails them; ties and errors.
#include <catch2/catch.hpp>

#include <vector>

#include "calibration/sbc.hpp"
#include "gaussian_setup.hpp"
#include "orrery/error.hpp"

using namespace orrery::calibration;
using calibration_test::gaussian_setup;
using orrery::RandomStream;

TEST_CASE("sbc ranks of a calibrated posterior are uniform") {
  // N = 1000, L = 99 (L + 1 = 100 ranks, 20 equal bins of 5), two parameters.
  const auto s = gaussian_setup(1000, 99, 2, 0.0, 1.0, RandomStream(11));
  const SbcResult r = sbc(s.truths, s.draws, RandomStream(12), SbcOptions{20, true});
  REQUIRE(r.ranks.rows() == 1000);
  REQUIRE(r.ranks.cols() == 2);
  CHECK(r.draws == 99);
  CHECK(r.ranks.minCoeff() >= 0);
  CHECK(r.ranks.maxCoeff() <= 99);
  CHECK(r.histogram.rows() == 20);
  CHECK(r.histogram.colwise().sum().minCoeff() == 1000);
  CHECK(r.expected_count.minCoeff() == Approx(50.0));
  CHECK(r.expected_count.maxCoeff() == Approx(50.0));
  for (int j = 0; j < 2; ++j) {
    INFO("parameter " << j << " KS D " << r.ks_statistic(j) << " p " << r.ks_pvalue(j) << " chi2 "
                      << r.chi_square(j) << " p " << r.chi_square_pvalue(j));
    CHECK(r.ks_pvalue(j) > 1e-3);
    CHECK(r.chi_square_pvalue(j) > 1e-3);
  }
}

TEST_CASE("sbc detects a biased posterior") {
  // Draws shifted by half a posterior sd: the ranks pile up low.
  const auto s = gaussian_setup(1000, 99, 2, 0.5, 1.0, RandomStream(21));
  const SbcResult r = sbc(s.truths, s.draws, RandomStream(22));
  for (int j = 0; j < 2; ++j) {
    INFO("parameter " << j << " KS D " << r.ks_statistic(j) << " p " << r.ks_pvalue(j));
    CHECK(r.ks_pvalue(j) < 1e-6);
    CHECK(r.chi_square_pvalue(j) < 1e-6);
  }
}

TEST_CASE("sbc breaks ties at random and deterministically") {
  // Integer truths and draws: many exact ties.
  RandomStream rng(31);
  Eigen::MatrixXd truths(200, 1);
  std::vector<Eigen::MatrixXd> draws;
  for (int i = 0; i < 200; ++i) {
    truths(i, 0) = static_cast<double>(rng.below(3));
    Eigen::MatrixXd x(9, 1);
    for (int l = 0; l < 9; ++l) x(l, 0) = static_cast<double>(rng.below(3));
    draws.push_back(x);
  }
  const Eigen::MatrixXi a = sbc_ranks(truths, draws, RandomStream(5));
  const Eigen::MatrixXi b = sbc_ranks(truths, draws, RandomStream(5));
  CHECK(a == b);
  bool some_tie_above_lower = false;
  for (int i = 0; i < 200; ++i) {
    int below = 0, ties = 0;
    for (int l = 0; l < 9; ++l) {
      below += draws[static_cast<std::size_t>(i)](l, 0) < truths(i, 0);
      ties += draws[static_cast<std::size_t>(i)](l, 0) == truths(i, 0);
    }
    CHECK(a(i, 0) >= below);
    CHECK(a(i, 0) <= below + ties);
    some_tie_above_lower |= a(i, 0) > below;
  }
  CHECK(some_tie_above_lower);
}

TEST_CASE("sbc discrete uniform KS statistic") {
  CHECK(ks_statistic_discrete_uniform(std::vector<int>{0, 1, 2}, 2) == Approx(0.0).margin(1e-15));
  // All ranks 0 with L = 3: F_N(0) = 1 against 1/4.
  CHECK(ks_statistic_discrete_uniform(std::vector<int>{0, 0}, 3) == Approx(0.75));
  CHECK_THROWS_AS(ks_statistic_discrete_uniform(std::vector<int>{4}, 3), orrery::Error);
}

TEST_CASE("sbc rejects inconsistent input") {
  const auto s = gaussian_setup(10, 5, 2, 0.0, 1.0, RandomStream(41));
  auto draws = s.draws;
  draws[3] = Eigen::MatrixXd::Zero(4, 2);
  CHECK_THROWS_WITH(sbc(s.truths, draws, RandomStream(1)), Catch::Contains("simulation 3 has 4 draws"));
  draws = s.draws;
  draws.pop_back();
  CHECK_THROWS_WITH(sbc(s.truths, draws, RandomStream(1)), Catch::Contains("10 rows"));
  draws = s.draws;
  draws[2](1, 1) = std::nan("");
  CHECK_THROWS_WITH(sbc(s.truths, draws, RandomStream(1)), Catch::Contains("draw 1 of simulation 2, parameter 1"));
  CHECK_THROWS_AS(sbc(s.truths, s.draws, RandomStream(1), SbcOptions{1, true}), orrery::Error);
}
