// The elementwise priors: normalisation by quadrature, moments of draws
// against analytic values (4 standard errors, fixed seeds), gradients against
// finite differences, support, and option checks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>

#include "flat_prior.hpp"
#include "lognormal_prior.hpp"
#include "loguniform_prior.hpp"
#include "normal_prior.hpp"
#include "support/numerics.hpp"
#include "support/test_context.hpp"
#include "truncated_normal_prior.hpp"
#include "uniform_prior.hpp"

using orrery::ValueTable;
using orrery::test::build;
using orrery::test::config_error_message;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double log_prob_at(const orrery::Prior& prior, double x) {
  Eigen::VectorXd v(1);
  v[0] = x;
  return prior.log_prob(v);
}

/// ∫ exp(log_prob) over [lo, hi]; in log x when `log_space` (for densities on
/// (0, ∞) that vary over decades).
double total_probability(const orrery::Prior& prior, double lo, double hi, bool log_space = false) {
  if (log_space)
    return orrery::test::integrate(
        [&](double y) {
          // exp(log(lo)) may round just outside the support.
          const double x = std::clamp(std::exp(y), lo, hi);
          return std::exp(log_prob_at(prior, x)) * x;
        },
        std::log(lo), std::log(hi));
  return orrery::test::integrate([&](double x) { return std::exp(log_prob_at(prior, x)); }, lo, hi);
}

/// Mean and variance of many draws agree with the analytic values within 4
/// Monte Carlo standard errors.
void check_draw_moments(const orrery::Prior& prior, double mean, double variance, std::uint64_t seed) {
  orrery::RandomStream rng(seed);
  const int n = 200000;
  Eigen::VectorXd draws(n);
  prior.sample(rng, draws);  // one block of n elements: the prior applies elementwise
  CHECK(draws.minCoeff() >= prior.lower());
  CHECK(draws.maxCoeff() <= prior.upper());
  CHECK(std::isfinite(prior.log_prob(draws)));
  const orrery::test::Estimate first = orrery::test::iid_mean(draws);
  CHECK(std::abs(first.value - mean) < 4.0 * std::sqrt(variance / n));
  const orrery::test::Estimate second = orrery::test::iid_mean((draws.array() - mean).square().matrix());
  CHECK(std::abs(second.value - variance) < 4.0 * second.standard_error);
}

/// The analytic gradient matches central differences at `x`.
void check_gradient(const orrery::Prior& prior, const Eigen::VectorXd& x) {
  REQUIRE(prior.has_gradient());
  Eigen::VectorXd grad(x.size());
  const double value = prior.log_prob_gradient(x, grad);
  CHECK(value == Approx(prior.log_prob(x)).epsilon(1e-14));
  const Eigen::VectorXd numeric =
      orrery::test::finite_difference_gradient([&](const Eigen::VectorXd& p) { return prior.log_prob(p); }, x);
  for (Eigen::Index i = 0; i < x.size(); ++i) CHECK(grad[i] == Approx(numeric[i]).epsilon(1e-6).margin(1e-8));
}

/// A block's log_prob is the sum over its elements.
void check_elementwise(const orrery::Prior& prior, const Eigen::VectorXd& x) {
  CHECK(prior.dimension() == 0);
  double sum = 0.0;
  for (Eigen::Index i = 0; i < x.size(); ++i) sum += log_prob_at(prior, x[i]);
  CHECK(prior.log_prob(x) == Approx(sum).epsilon(1e-13));
}

Eigen::VectorXd vec(std::initializer_list<double> values) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (double x : values) v[i++] = x;
  return v;
}

}  // namespace

TEST_CASE("uniform prior", "[core][prior]") {
  const auto prior = build<orrery::core::UniformPrior>({{"min", -1.0}, {"max", 3.0}});
  CHECK(prior->lower() == -1.0);
  CHECK(prior->upper() == 3.0);
  CHECK(total_probability(*prior, -1.0, 3.0) == Approx(1.0).margin(1e-6));
  CHECK(log_prob_at(*prior, 0.5) == Approx(-std::log(4.0)));
  check_draw_moments(*prior, 1.0, 16.0 / 12.0, 1);
  check_gradient(*prior, vec({-0.5, 2.5}));
  check_elementwise(*prior, vec({0.0, 1.0, 2.9}));
  CHECK(log_prob_at(*prior, -1.0001) == -kInf);
  CHECK(log_prob_at(*prior, 3.0001) == -kInf);
  CHECK(prior->log_prob(vec({0.0, 4.0})) == -kInf);
  CHECK(log_prob_at(*prior, std::nan("")) == -kInf);

  CHECK_THAT(config_error_message([] { build<orrery::core::UniformPrior>({{"min", 1.0}, {"max", 1.0}}); }),
             Catch::Contains("option 'max'") && Catch::Contains("greater than min"));
  CHECK_THAT(config_error_message([] { build<orrery::core::UniformPrior>({{"min", -kInf}, {"max", 1.0}}); }),
             Catch::Contains("option 'min'") && Catch::Contains("finite"));
  CHECK_THAT(config_error_message([] { build<orrery::core::UniformPrior>({{"min", 0.0}}); }),
             Catch::Contains("'max'"));
}

TEST_CASE("normal prior", "[core][prior]") {
  const auto prior = build<orrery::core::NormalPrior>({{"mean", 2.0}, {"sd", 0.5}});
  CHECK(prior->lower() == -kInf);
  CHECK(prior->upper() == kInf);
  CHECK(total_probability(*prior, 2.0 - 6.0, 2.0 + 6.0) == Approx(1.0).margin(1e-6));
  CHECK(log_prob_at(*prior, 2.0) == Approx(-std::log(0.5 * std::sqrt(2.0 * M_PI))));
  check_draw_moments(*prior, 2.0, 0.25, 2);
  check_gradient(*prior, vec({1.2, 2.0, 3.7}));
  check_elementwise(*prior, vec({0.0, 1.0, 2.9}));
  CHECK(log_prob_at(*prior, kInf) == -kInf);

  const auto standard = build<orrery::core::NormalPrior>({{"sd", 1.0}});  // mean defaults to 0
  CHECK(log_prob_at(*standard, 0.0) == Approx(-0.5 * std::log(2.0 * M_PI)));

  CHECK_THAT(config_error_message([] { build<orrery::core::NormalPrior>({{"sd", 0.0}}); }),
             Catch::Contains("option 'sd'") && Catch::Contains("must be greater than 0"));
  CHECK_THAT(config_error_message([] { build<orrery::core::NormalPrior>({{"sd", -1.0}}); }),
             Catch::Contains("option 'sd'"));
}

TEST_CASE("lognormal prior", "[core][prior]") {
  const double mu = 0.3;
  const double sigma = 0.5;
  const auto prior = build<orrery::core::LognormalPrior>({{"mu", mu}, {"sigma", sigma}});
  CHECK(prior->lower() == 0.0);
  CHECK(prior->upper() == kInf);
  CHECK(total_probability(*prior, std::exp(mu - 12 * sigma), std::exp(mu + 12 * sigma), true) ==
        Approx(1.0).margin(1e-6));
  // Density at the median e^mu: 1 / (e^mu sigma sqrt(2π)).
  CHECK(log_prob_at(*prior, std::exp(mu)) == Approx(-mu - std::log(sigma * std::sqrt(2.0 * M_PI))));
  const double mean = std::exp(mu + 0.5 * sigma * sigma);
  const double variance = (std::exp(sigma * sigma) - 1.0) * std::exp(2.0 * mu + sigma * sigma);
  check_draw_moments(*prior, mean, variance, 3);
  check_gradient(*prior, vec({0.4, 1.3, 5.0}));
  check_elementwise(*prior, vec({0.1, 1.0, 2.9}));
  CHECK(log_prob_at(*prior, 0.0) == -kInf);
  CHECK(log_prob_at(*prior, -1.0) == -kInf);

  CHECK_THAT(config_error_message([] { build<orrery::core::LognormalPrior>({{"sigma", 0.0}}); }),
             Catch::Contains("option 'sigma'"));
}

TEST_CASE("loguniform prior", "[core][prior]") {
  const double min = 0.01;
  const double max = 100.0;
  const auto prior = build<orrery::core::LoguniformPrior>({{"min", min}, {"max", max}});
  CHECK(prior->lower() == min);
  CHECK(prior->upper() == max);
  CHECK(total_probability(*prior, min, max, true) == Approx(1.0).margin(1e-6));
  CHECK(log_prob_at(*prior, 1.0) == Approx(-std::log(std::log(max / min))));
  const double log_ratio = std::log(max / min);
  const double mean = (max - min) / log_ratio;
  const double variance = (max * max - min * min) / (2.0 * log_ratio) - mean * mean;
  check_draw_moments(*prior, mean, variance, 4);
  check_gradient(*prior, vec({0.05, 1.0, 42.0}));
  check_elementwise(*prior, vec({0.02, 1.0, 99.0}));
  CHECK(log_prob_at(*prior, 0.009) == -kInf);
  CHECK(log_prob_at(*prior, 100.1) == -kInf);

  CHECK_THAT(config_error_message([] { build<orrery::core::LoguniformPrior>({{"min", 0.0}, {"max", 1.0}}); }),
             Catch::Contains("option 'min'") && Catch::Contains("must be greater than 0"));
  CHECK_THAT(config_error_message([] { build<orrery::core::LoguniformPrior>({{"min", 2.0}, {"max", 1.0}}); }),
             Catch::Contains("option 'max'"));
}

namespace {

/// The flat prior's initial points, mapped back to the unconstrained space
/// with `unconstrain`, are uniform on (-2, 2): range, mean and variance
/// (4/3) within 4 standard errors.
void check_initial_points(const orrery::Prior& prior, const std::function<double(double)>& unconstrain,
                          std::uint64_t seed) {
  orrery::RandomStream rng(seed);
  const int n = 100000;
  Eigen::VectorXd draws(n);
  prior.sample(rng, draws);
  CHECK(draws.minCoeff() >= prior.lower());
  CHECK(draws.maxCoeff() <= prior.upper());
  CHECK(prior.log_prob(draws) == 0.0);
  Eigen::VectorXd u(n);
  for (Eigen::Index i = 0; i < n; ++i) u[i] = unconstrain(draws[i]);
  CHECK(u.minCoeff() >= -2.0 - 1e-9);
  CHECK(u.maxCoeff() <= 2.0 + 1e-9);
  const double variance = 16.0 / 12.0;
  CHECK(std::abs(u.mean()) < 4.0 * std::sqrt(variance / n));
  const orrery::test::Estimate second = orrery::test::iid_mean(u.array().square().matrix());
  CHECK(std::abs(second.value - variance) < 4.0 * second.standard_error);
}

}  // namespace

TEST_CASE("flat prior: improper, constant on its support", "[core][prior]") {
  using orrery::core::FlatPrior;
  const auto line = build<FlatPrior>({});
  CHECK(line->dimension() == 0);
  CHECK(line->lower() == -kInf);
  CHECK(line->upper() == kInf);
  CHECK(log_prob_at(*line, -1e300) == 0.0);
  CHECK(log_prob_at(*line, 1e300) == 0.0);
  CHECK(log_prob_at(*line, std::nan("")) == -kInf);
  check_gradient(*line, vec({-3.0, 0.0, 7.5}));
  check_elementwise(*line, vec({-3.0, 0.0, 7.5}));

  const auto positive = build<FlatPrior>({{"min", 0.0}});
  CHECK(positive->lower() == 0.0);
  CHECK(positive->upper() == kInf);
  CHECK(log_prob_at(*positive, 0.0) == 0.0);  // the support is closed
  CHECK(log_prob_at(*positive, 2.5) == 0.0);
  CHECK(log_prob_at(*positive, -1e-12) == -kInf);
  CHECK(positive->log_prob(vec({1.0, -1.0})) == -kInf);

  const auto negative = build<FlatPrior>({{"max", 3.0}});
  CHECK(negative->lower() == -kInf);
  CHECK(negative->upper() == 3.0);
  CHECK(log_prob_at(*negative, 3.0) == 0.0);
  CHECK(log_prob_at(*negative, 3.0001) == -kInf);

  const auto interval = build<FlatPrior>({{"min", -1.0}, {"max", 3.0}});
  CHECK(log_prob_at(*interval, -1.0) == 0.0);
  CHECK(log_prob_at(*interval, 0.5) == 0.0);  // not -log 4: unnormalised
  CHECK(log_prob_at(*interval, 3.0001) == -kInf);
  check_gradient(*interval, vec({-0.5, 2.5}));

  CHECK_THAT(config_error_message([] { build<FlatPrior>({{"min", 1.0}, {"max", 1.0}}); }),
             Catch::Contains("option 'max'") && Catch::Contains("greater than min"));
  CHECK_THAT(config_error_message([] { build<FlatPrior>({{"min", kInf}}); }), Catch::Contains("option 'max'"));
  CHECK_THAT(config_error_message([] { build<FlatPrior>({{"max", std::nan("")}}); }),
             Catch::Contains("option 'max'") && Catch::Contains("nan", Catch::CaseSensitive::No));
}

TEST_CASE("flat prior: initial points are Stan's uniform(-2, 2) in the unconstrained space", "[core][prior]") {
  using orrery::core::FlatPrior;
  check_initial_points(*build<FlatPrior>({}), [](double x) { return x; }, 11);
  check_initial_points(*build<FlatPrior>({{"min", 5.0}}), [](double x) { return std::log(x - 5.0); }, 12);
  check_initial_points(*build<FlatPrior>({{"max", -5.0}}), [](double x) { return std::log(-5.0 - x); }, 13);
  check_initial_points(*build<FlatPrior>({{"min", -1.0}, {"max", 3.0}}),
                       [](double x) { return std::log((x + 1.0) / (3.0 - x)); }, 14);
  // Bounds whose difference overflows still give points inside them.
  const auto huge = build<FlatPrior>({{"min", -1e308}, {"max", 1e308}});
  orrery::RandomStream rng(15);
  Eigen::VectorXd draws(1000);
  huge->sample(rng, draws);
  CHECK(draws.allFinite());
  CHECK(huge->log_prob(draws) == 0.0);
}

TEST_CASE("prior option schemas reject unknown keys and wrong types", "[core][prior]") {
  CHECK_THAT(config_error_message([] { build<orrery::core::NormalPrior>({{"sd", 1.0}, {"sigma", 1.0}}); }),
             Catch::Contains("option 'sigma'") && Catch::Contains("unknown"));
  CHECK_THAT(config_error_message([] { build<orrery::core::NormalPrior>({{"sd", "wide"}}); }),
             Catch::Contains("option 'sd'"));
}
