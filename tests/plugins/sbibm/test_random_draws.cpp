// The Bernoulli, binomial and log-normal draws: frequencies against the exact
// pmf and moments against the analytic ones, within 4 Monte Carlo standard
// errors (fixed seeds); log_factorial against exact sums; edge cases.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include <orrery/error.hpp>

#include "random_draws.hpp"
#include "support/numerics.hpp"

using orrery::RandomStream;
using orrery::sbibm::binomial;

namespace {

/// Exact binomial pmf by the product formula, in logs.
double binomial_pmf(int n, int k, double p) {
  double log_c = 0.0;
  for (int i = 1; i <= k; ++i) log_c += std::log(static_cast<double>(n - k + i) / i);
  return std::exp(log_c + k * std::log(p) + (n - k) * std::log1p(-p));
}

/// Frequencies of Binomial(n, p) draws agree with the pmf within 4 standard errors.
void check_binomial_frequencies(int n, double p, std::uint64_t seed) {
  const int draws = 200000;
  std::vector<int> counts(static_cast<std::size_t>(n + 1), 0);
  RandomStream rng(seed);
  for (int i = 0; i < draws; ++i) {
    const std::int64_t k = binomial(rng, n, p);
    REQUIRE(k >= 0);
    REQUIRE(k <= n);
    ++counts[static_cast<std::size_t>(k)];
  }
  for (int k = 0; k <= n; ++k) {
    const double expected = binomial_pmf(n, k, p);
    const double frequency = static_cast<double>(counts[static_cast<std::size_t>(k)]) / draws;
    const double se = std::sqrt(expected * (1.0 - expected) / draws);
    INFO("n = " << n << ", p = " << p << ", k = " << k);
    CHECK(std::abs(frequency - expected) <= 4.0 * se + 1e-12);
  }
}

}  // namespace

TEST_CASE("log_factorial matches exact sums") {
  for (std::int64_t k : {0, 1, 2, 5, 15, 16, 17, 50, 999, 1000}) {
    double exact = 0.0;
    for (std::int64_t i = 2; i <= k; ++i) exact += std::log(static_cast<double>(i));
    INFO("k = " << k);
    CHECK(std::abs(orrery::sbibm::log_factorial(k) - exact) <= 1e-13 * std::max(1.0, exact));
  }
}

TEST_CASE("binomial frequencies follow the exact pmf") {
  check_binomial_frequencies(10, 0.3, 11);
  check_binomial_frequencies(7, 0.95, 12);
  check_binomial_frequencies(40, 0.02, 13);
}

TEST_CASE("binomial with 1000 trials has the analytic mean and variance") {
  for (const double p : {0.0004, 0.05, 0.35, 0.9}) {
    const int draws = 100000;
    RandomStream rng(21);
    Eigen::VectorXd k(draws), sq(draws);
    for (int i = 0; i < draws; ++i) k[i] = static_cast<double>(binomial(rng, 1000, p));
    const double mean = 1000.0 * p, variance = 1000.0 * p * (1.0 - p);
    const orrery::test::Estimate m = orrery::test::iid_mean(k);
    sq = (k.array() - mean).square();
    const orrery::test::Estimate v = orrery::test::iid_mean(sq);
    INFO("p = " << p << ": mean " << m.value << " ± " << m.standard_error << ", variance " << v.value << " ± "
                << v.standard_error);
    CHECK(std::abs(m.value - mean) <= 4.0 * m.standard_error);
    CHECK(std::abs(v.value - variance) <= 4.0 * v.standard_error);
  }
}

TEST_CASE("binomial edge cases") {
  RandomStream rng(3);
  CHECK(binomial(rng, 1000, 0.0) == 0);
  CHECK(binomial(rng, 1000, -0.5) == 0);
  CHECK(binomial(rng, 1000, 1.0) == 1000);
  CHECK(binomial(rng, 0, 0.5) == 0);
  CHECK(binomial(rng, 1000, 1e-300) == 0);
  CHECK_THROWS_AS(binomial(rng, 10, std::nan("")), orrery::Error);
  CHECK_THROWS_AS(binomial(rng, -1, 0.5), orrery::Error);
}

TEST_CASE("bernoulli and lognormal draws have the analytic moments") {
  const int draws = 200000;
  RandomStream rng(5);
  Eigen::VectorXd b(draws), logs(draws);
  for (int i = 0; i < draws; ++i) {
    b[i] = orrery::sbibm::bernoulli(rng, 0.3);
    logs[i] = std::log(orrery::sbibm::lognormal(rng, 1.5, 0.1));
  }
  const orrery::test::Estimate pb = orrery::test::iid_mean(b);
  CHECK(std::abs(pb.value - 0.3) <= 4.0 * pb.standard_error);
  const orrery::test::Estimate ml = orrery::test::iid_mean(logs);
  CHECK(std::abs(ml.value - 1.5) <= 4.0 * ml.standard_error);
  const Eigen::VectorXd sq = (logs.array() - 1.5).square();
  const orrery::test::Estimate vl = orrery::test::iid_mean(sq);
  CHECK(std::abs(vl.value - 0.01) <= 4.0 * vl.standard_error);
  CHECK(orrery::sbibm::bernoulli(rng, 0.0) == 0);
  CHECK(orrery::sbibm::bernoulli(rng, 1.0) == 1);
}
