// The truncated normal prior, including truncation regions far in a tail,
// where both normalisation and sampling are easy to get wrong.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "support/numerics.hpp"
#include "support/test_context.hpp"
#include "truncated_normal_prior.hpp"

using orrery::core::TruncatedNormalPrior;
using orrery::test::build;
using orrery::test::config_error_message;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double log_prob_at(const orrery::Prior& prior, double x) {
  Eigen::VectorXd v(1);
  v[0] = x;
  return prior.log_prob(v);
}

struct Moments {
  double mean, variance;
};

/// Mean and variance of N(mean, sd²) on [lo, hi] by quadrature, relative to
/// the density at `c` (the point of [lo, hi] nearest the mean), so far tails
/// do not underflow. Independent of the erfc-based normalisation under test.
Moments quadrature_moments(double mean, double sd, double lo, double hi) {
  const double c = std::clamp(mean, lo, hi);
  auto weight = [&](double x) {
    const double z = (x - mean) / sd;
    const double zc = (c - mean) / sd;
    return std::exp(-0.5 * (z - zc) * (z + zc));
  };
  const double mass = orrery::test::integrate(weight, lo, hi, 200000);
  const double m = orrery::test::integrate([&](double x) { return x * weight(x); }, lo, hi, 200000) / mass;
  const double v =
      orrery::test::integrate([&](double x) { return (x - m) * (x - m) * weight(x); }, lo, hi, 200000) / mass;
  return {m, v};
}

struct Case {
  double mean, sd, min, max;
  double integrate_lo, integrate_hi;  // covers all but a negligible part of the mass
};

}  // namespace

TEST_CASE("truncated normal prior is normalised, samples in bounds and matches moments", "[core][prior]") {
  const Case cases[] = {
      {0.0, 1.0, -1.0, 2.0, -1.0, 2.0},          // central
      {1.0, 2.0, 1.0, kInf, 1.0, 1.0 + 2 * 12},  // half-normal
      {0.0, 1.0, 8.0, kInf, 8.0, 12.0},          // 8 sd into the upper tail
      {5.0, 0.1, 5.8, 5.85, 5.8, 5.85},          // narrow window 8 sd from the mean
      {0.0, 1.0, -kInf, -8.0, -12.0, -8.0},      // 8 sd into the lower tail
      {0.0, 1.0, 40.0, 41.0, 40.0, 41.0},        // 40 sd: Q underflows in direct arithmetic
      {3.0, 1.0, -kInf, kInf, -9.0, 15.0},       // no truncation at all
  };
  std::uint64_t seed = 100;
  for (const Case& c : cases) {
    INFO("mean " << c.mean << " sd " << c.sd << " on [" << c.min << ", " << c.max << "]");
    const auto prior = build<TruncatedNormalPrior>({{"mean", c.mean}, {"sd", c.sd}, {"min", c.min}, {"max", c.max}});
    CHECK(prior->lower() == c.min);
    CHECK(prior->upper() == c.max);

    const double total = orrery::test::integrate([&](double x) { return std::exp(log_prob_at(*prior, x)); },
                                                 c.integrate_lo, c.integrate_hi, 200000);
    CHECK(total == Approx(1.0).margin(1e-6));

    const Moments truth = quadrature_moments(c.mean, c.sd, c.integrate_lo, c.integrate_hi);
    orrery::RandomStream rng(++seed);
    const int n = 100000;
    Eigen::VectorXd draws(n);
    prior->sample(rng, draws);
    CHECK(draws.minCoeff() >= c.min);
    CHECK(draws.maxCoeff() <= c.max);
    const orrery::test::Estimate mean = orrery::test::iid_mean(draws);
    CHECK(std::abs(mean.value - truth.mean) < 4.0 * std::sqrt(truth.variance / n));
    const orrery::test::Estimate second = orrery::test::iid_mean((draws.array() - truth.mean).square().matrix());
    CHECK(std::abs(second.value - truth.variance) < 4.0 * second.standard_error);
  }
}

TEST_CASE("truncated normal far-tail mean matches the Mills-ratio formula", "[core][prior]") {
  // For N(0, 1) on [a, ∞): E[x] = φ(a) / Q(a) = 8.1213681122361126807 at
  // a = 8 (mpmath, 50 digits).
  const auto prior = build<TruncatedNormalPrior>({{"mean", 0.0}, {"sd", 1.0}, {"min", 8.0}, {"max", kInf}});
  const double expected = 8.1213681122361126807;
  orrery::RandomStream rng(11);
  const int n = 200000;
  Eigen::VectorXd draws(n);
  prior->sample(rng, draws);
  CHECK(draws.minCoeff() >= 8.0);
  // Var = 1 + a m - m² with m the mean.
  const double variance = 1.0 + 8.0 * expected - expected * expected;
  CHECK(std::abs(draws.mean() - expected) < 4.0 * std::sqrt(variance / n));
  // Density at the boundary: log φ(8) - log Q(8).
  CHECK(log_prob_at(*prior, 8.0) ==
        Approx(-32.0 - 0.5 * std::log(2.0 * M_PI) + 35.013437159914549896).epsilon(1e-13));
}

TEST_CASE("truncated normal gradient, support and option checks", "[core][prior]") {
  const auto prior = build<TruncatedNormalPrior>({{"mean", 1.0}, {"sd", 2.0}, {"min", 0.0}, {"max", 4.0}});
  Eigen::VectorXd x(3);
  x << 0.5, 1.0, 3.5;
  Eigen::VectorXd grad(3);
  CHECK(prior->log_prob_gradient(x, grad) == Approx(prior->log_prob(x)));
  const Eigen::VectorXd numeric =
      orrery::test::finite_difference_gradient([&](const Eigen::VectorXd& p) { return prior->log_prob(p); }, x);
  for (Eigen::Index i = 0; i < 3; ++i) CHECK(grad[i] == Approx(numeric[i]).epsilon(1e-6).margin(1e-8));
  CHECK(log_prob_at(*prior, -0.001) == -kInf);
  CHECK(log_prob_at(*prior, 4.001) == -kInf);
  CHECK(log_prob_at(*prior, std::nan("")) == -kInf);
  CHECK(prior->dimension() == 0);

  CHECK_THAT(config_error_message([] {
               build<TruncatedNormalPrior>({{"sd", 1.0}, {"min", 2.0}, {"max", 1.0}});
             }),
             Catch::Contains("option 'max'"));
  CHECK_THAT(config_error_message([] {
               build<TruncatedNormalPrior>({{"sd", 0.0}, {"min", 0.0}, {"max", 1.0}});
             }),
             Catch::Contains("option 'sd'"));
  CHECK_THAT(config_error_message([] { build<TruncatedNormalPrior>({{"sd", 1.0}, {"max", 1.0}}); }),
             Catch::Contains("'min'"));
  // So far out that no double-precision probability is left.
  CHECK_THAT(config_error_message([] {
               build<TruncatedNormalPrior>({{"sd", 1.0}, {"min", 1e200}, {"max", kInf}});
             }),
             Catch::Contains("option 'min'") && Catch::Contains("no probability"));
}
