// The MALA sampler: moments of a correlated 2-D Gaussian and of a 5-D
// Gaussian with scales from 0.3 to 3 within 4 Monte Carlo standard errors,
// reproducibility across thread counts, non-finite regions (counted
// rejections) and option checks.
#include <catch2/catch.hpp>

#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "mala_sampler.hpp"
#include "gaussian_targets.hpp"
#include "support/numerics.hpp"
#include "support/test_context.hpp"

using orrery::ValueTable;
using orrery::samplers::MalaSampler;
using orrery::test::TestContext;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using orrery::test::correlated_target;
using orrery::test::GaussianTarget;

GaussianTarget scaled_target() { return orrery::test::scaled_target(5, 0.3, 3.0); }

struct Run {
  std::unique_ptr<TestContext> context;
  orrery::SampleSet set;
};

Run run_mala(orrery::Target& target, ValueTable options, std::uint64_t seed = 42, std::size_t threads = 1) {
  Run run;
  run.context = std::make_unique<TestContext>(std::move(options), orrery::ParameterSpace{}, seed, "mala");
  run.context->add_reference("target", target);
  run.context->apply_schema(MalaSampler::options());
  run.context->set_threads(threads);
  MalaSampler sampler(*run.context);
  CHECK(&sampler.target() == &target);
  run.set = sampler.run(*run.context);
  return run;
}

template <typename F>
std::vector<Eigen::VectorXd> series(const orrery::SampleSet& set, F f) {
  std::vector<Eigen::VectorXd> out;
  for (const orrery::Chain& chain : set.chains) {
    Eigen::VectorXd s(chain.draws.rows());
    for (Eigen::Index n = 0; n < chain.draws.rows(); ++n) s[n] = f(chain.draws.row(n));
    out.push_back(s);
  }
  return out;
}

double statistic(const orrery::SampleSet& set, const std::string& name) {
  for (const auto& [key, value] : set.statistics)
    if (key == name) return value;
  FAIL("no statistic " << name);
  return kNaN;
}

/// Means and (co)variances within 4 batch-means standard errors; returns the
/// smallest effective sample size of the means (variance / se²).
double check_moments(const orrery::SampleSet& set, const GaussianTarget& target, bool covariances) {
  const Eigen::VectorXd& mu = target.mean();
  const Eigen::Index d = mu.size();
  double min_ess = kInf;
  for (Eigen::Index i = 0; i < d; ++i) {
    const double sd = std::sqrt(target.cov()(i, i));
    const orrery::test::Estimate m = orrery::test::batch_means(series(set, [&](const auto& x) { return x[i]; }));
    INFO("mean " << i << ": " << m.value << " ± " << m.standard_error << ", truth " << mu[i]);
    CHECK(std::abs(m.value - mu[i]) < 4.0 * m.standard_error);
    CHECK(m.standard_error < 0.1 * sd);
    min_ess = std::min(min_ess, sd * sd / (m.standard_error * m.standard_error));
    const orrery::test::Estimate v =
        orrery::test::batch_means(series(set, [&](const auto& x) { return (x[i] - mu[i]) * (x[i] - mu[i]); }));
    INFO("var " << i << ": " << v.value << " ± " << v.standard_error << ", truth " << sd * sd << " (sd "
                << std::sqrt(v.value) << " vs " << sd << ")");
    CHECK(std::abs(v.value - sd * sd) < 4.0 * v.standard_error);
  }
  if (covariances)
    for (Eigen::Index i = 0; i < d; ++i)
      for (Eigen::Index j = i + 1; j < d; ++j) {
        const orrery::test::Estimate c = orrery::test::batch_means(
            series(set, [&](const auto& x) { return (x[i] - mu[i]) * (x[j] - mu[j]); }));
        INFO("cov(" << i << ", " << j << "): " << c.value << " ± " << c.standard_error << ", truth "
                    << target.cov()(i, j));
        CHECK(std::abs(c.value - target.cov()(i, j)) < 4.0 * c.standard_error);
      }
  return min_ess;
}

}  // namespace

TEST_CASE("mala recovers a correlated 2-D Gaussian", "[samplers][mala]") {
  GaussianTarget target = correlated_target();
  const orrery::SampleSet set = run_mala(target, {{"chains", 4}, {"steps", 5000}, {"warmup", 1000}}, 7).set;
  REQUIRE(set.chains.size() == 4);
  const double ess = check_moments(set, target, true);
  const double acceptance = statistic(set, "acceptance_rate");
  CHECK(acceptance > 0.4);
  CHECK(acceptance < 0.75);
  CHECK(statistic(set, "nonfinite_rejections") == 0.0);
  WARN("mala 2-D: min ESS(mean) " << ess << " from 20000 draws; acceptance " << acceptance << ", step size "
                                  << statistic(set, "step_size"));
}

TEST_CASE("mala recovers a 5-D Gaussian with scales from 0.3 to 3", "[samplers][mala]") {
  GaussianTarget target = scaled_target();
  const orrery::SampleSet set = run_mala(target, {{"chains", 4}, {"steps", 5000}, {"warmup", 1000}}, 11).set;
  const double ess = check_moments(set, target, false);
  const double acceptance = statistic(set, "acceptance_rate");
  CHECK(acceptance > 0.4);
  CHECK(acceptance < 0.75);
  WARN("mala 5-D: min ESS(mean) " << ess << " from 20000 draws; acceptance " << acceptance << ", step size "
                                  << statistic(set, "step_size"));
}

TEST_CASE("mala is independent of the thread count", "[samplers][mala]") {
  GaussianTarget target = correlated_target();
  const ValueTable options = {{"chains", 3}, {"steps", 300}, {"warmup", 200}};
  const orrery::SampleSet a = run_mala(target, options, 123, 1).set;
  const orrery::SampleSet b = run_mala(target, options, 123, 2).set;
  REQUIRE(a.chains.size() == b.chains.size());
  for (std::size_t c = 0; c < a.chains.size(); ++c) {
    CHECK(a.chains[c].draws == b.chains[c].draws);
    CHECK(a.chains[c].log_density == b.chains[c].log_density);
    CHECK(a.chains[c].evaluations == b.chains[c].evaluations);
    CHECK(a.chains[c].acceptance_rate == b.chains[c].acceptance_rate);
  }
  CHECK(a.statistics == b.statistics);
  CHECK(a.chains[0].draws != a.chains[1].draws);
  CHECK(a.chains[0].draws != run_mala(target, options, 124, 1).set.chains[0].draws);
}

TEST_CASE("mala counts non-finite proposals as rejections", "[samplers][mala]") {
  GaussianTarget target = correlated_target();
  target.nan_above = 1.5;  // NaN density and gradient on part of the bulk
  const orrery::SampleSet set = run_mala(target, {{"chains", 2}, {"steps", 1000}, {"warmup", 300}}, 5, 2).set;
  std::uint64_t rejected = 0;
  for (const orrery::Chain& chain : set.chains) {
    rejected += chain.nonfinite_rejections;
    CHECK(chain.draws.col(0).maxCoeff() <= 1.5);
    CHECK(chain.log_density.allFinite());
  }
  CHECK(rejected > 10);
  CHECK(statistic(set, "nonfinite_rejections") > 0.0);
  SECTION("a target with no finite point fails with a clear error") {
    target.nan_above = -kInf;
    CHECK_THROWS_WITH(run_mala(target, {{"chains", 2}, {"steps", 10}}),
                      Catch::Contains("not finite") && Catch::Contains("chain"));
  }
}

TEST_CASE("mala option checks", "[samplers][mala]") {
  GaussianTarget target = correlated_target();
  GaussianTarget no_gradient(Eigen::Vector2d(0.0, 0.0), Eigen::Matrix2d::Identity(), false);
  auto error_for = [](orrery::Target& t, ValueTable options) {
    return orrery::test::config_error_message([&] {
      TestContext ctx(std::move(options));
      ctx.add_reference("target", t);
      ctx.apply_schema(MalaSampler::options());
      MalaSampler sampler(ctx);
    });
  };
  CHECK_THAT(error_for(no_gradient, {}),
             Catch::Contains("option 'target'") && Catch::Contains("gradient") && Catch::Contains("@posterior"));
  CHECK_THAT(error_for(target, {{"chains", 0}}), Catch::Contains("option 'chains'"));
  CHECK_THAT(error_for(target, {{"target_acceptance", 1.0}}), Catch::Contains("option 'target_acceptance'"));
  CHECK_THAT(error_for(target, {{"initial_step_size", 0.0}}), Catch::Contains("option 'initial_step_size'"));
  CHECK(error_for(target, {{"initial_step_size", 0.1}}).empty());
  CHECK(error_for(target, {}).empty());
}
