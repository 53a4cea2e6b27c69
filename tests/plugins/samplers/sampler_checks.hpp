// Helpers shared by the MCMC sampler tests: building and running a sampler in
// a TestContext, per-chain series of the draws, moment checks against a
// GaussianTarget with batch-means standard errors, and run comparisons.
#pragma once

#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <orrery/parameter_space.hpp>
#include <orrery/sample_set.hpp>
#include <orrery/target.hpp>
#include <orrery/value.hpp>

#include "gaussian_targets.hpp"
#include "support/numerics.hpp"
#include "support/test_context.hpp"

namespace orrery::test {

/// A sampler run and the context it ran in (kept for its progress and log).
struct SamplerRun {
  std::unique_ptr<TestContext> context;
  SampleSet set;
};

/// Runs sampler S in a fresh TestContext named `context_name`. The name picks
/// the context's random stream, so a test file keeps its name to keep its draws.
template <typename S>
struct SamplerRunner {
  const char* context_name;

  /// Builds S on `target` with `options` (schema defaults filled), checks that
  /// it samples `target`, and runs it with `seed` on `threads` threads.
  SamplerRun operator()(Target& target, ValueTable options, std::uint64_t seed = 42, std::size_t threads = 1) const {
    SamplerRun run;
    run.context = std::make_unique<TestContext>(std::move(options), ParameterSpace{}, seed, context_name);
    run.context->add_reference("target", target);
    run.context->apply_schema(S::options());
    run.context->set_threads(threads);
    S sampler(*run.context);
    CHECK(&sampler.target() == &target);
    run.set = sampler.run(*run.context);
    return run;
  }
};

/// The ConfigError message from building an S on `target` with `options` in a
/// default TestContext, or "" if it builds.
template <typename S>
std::string construction_error(Target& target, ValueTable options) {
  return config_error_message([&] {
    TestContext ctx(std::move(options));
    ctx.add_reference("target", target);
    ctx.apply_schema(S::options());
    S sampler(ctx);
  });
}

/// One scalar series per chain: f applied to each retained draw (a row).
template <typename F>
std::vector<Eigen::VectorXd> per_chain_series(const SampleSet& set, F f) {
  std::vector<Eigen::VectorXd> out;
  for (const Chain& chain : set.chains) {
    Eigen::VectorXd s(chain.draws.rows());
    for (Eigen::Index n = 0; n < chain.draws.rows(); ++n) s[n] = f(chain.draws.row(n));
    out.push_back(s);
  }
  return out;
}

/// The run statistic called `name`; fails the test (and returns NaN) if absent.
inline double statistic(const SampleSet& set, const std::string& name) {
  for (const auto& [key, value] : set.statistics)
    if (key == name) return value;
  FAIL("no statistic " << name);
  return kNaN;
}

/// Means and variances (and off-diagonal covariances if `covariances`) of the
/// draws within 4 batch-means standard errors of `target`'s, with each mean's
/// standard error under 0.1 sd; returns the smallest effective sample size of
/// the means (variance / se²).
inline double check_gaussian_moments(const SampleSet& set, const GaussianTarget& target, bool covariances) {
  const Eigen::VectorXd& mu = target.mean();
  const Eigen::Index d = mu.size();
  double min_ess = kInf;
  for (Eigen::Index i = 0; i < d; ++i) {
    const double sd = std::sqrt(target.cov()(i, i));
    const Estimate m = batch_means(per_chain_series(set, [&](const auto& x) { return x[i]; }));
    INFO("mean " << i << ": " << m.value << " ± " << m.standard_error << ", truth " << mu[i]);
    CHECK(std::abs(m.value - mu[i]) < 4.0 * m.standard_error);
    CHECK(m.standard_error < 0.1 * sd);
    min_ess = std::min(min_ess, sd * sd / (m.standard_error * m.standard_error));
    const Estimate v =
        batch_means(per_chain_series(set, [&](const auto& x) { return (x[i] - mu[i]) * (x[i] - mu[i]); }));
    INFO("var " << i << ": " << v.value << " ± " << v.standard_error << ", truth " << sd * sd << " (sd "
                << std::sqrt(v.value) << " vs " << sd << ")");
    CHECK(std::abs(v.value - sd * sd) < 4.0 * v.standard_error);
  }
  if (covariances)
    for (Eigen::Index i = 0; i < d; ++i)
      for (Eigen::Index j = i + 1; j < d; ++j) {
        const Estimate c =
            batch_means(per_chain_series(set, [&](const auto& x) { return (x[i] - mu[i]) * (x[j] - mu[j]); }));
        INFO("cov(" << i << ", " << j << "): " << c.value << " ± " << c.standard_error << ", truth "
                    << target.cov()(i, j));
        CHECK(std::abs(c.value - target.cov()(i, j)) < 4.0 * c.standard_error);
      }
  return min_ess;
}

/// Chain by chain, `a` and `b` have equal draws, log densities, evaluation
/// counts and acceptance rates; then their run statistics are equal.
inline void check_identical_runs(const SampleSet& a, const SampleSet& b) {
  for (std::size_t c = 0; c < a.chains.size(); ++c) {
    CHECK(a.chains[c].draws == b.chains[c].draws);
    CHECK(a.chains[c].log_density == b.chains[c].log_density);
    CHECK(a.chains[c].evaluations == b.chains[c].evaluations);
    CHECK(a.chains[c].acceptance_rate == b.chains[c].acceptance_rate);
  }
  CHECK(a.statistics == b.statistics);
}

/// The chains' non-finite rejections summed, after checking per chain that
/// every draw has x[0] <= max_x0 (and x[1] >= *min_x1 if given) and that every
/// log density is finite.
inline std::uint64_t sum_nonfinite_rejections(const SampleSet& set, double max_x0,
                                              std::optional<double> min_x1 = std::nullopt) {
  std::uint64_t rejections = 0;
  for (const Chain& chain : set.chains) {
    rejections += chain.nonfinite_rejections;
    CHECK(chain.draws.col(0).maxCoeff() <= max_x0);
    if (min_x1) CHECK(chain.draws.col(1).minCoeff() >= *min_x1);
    CHECK(chain.log_density.allFinite());
  }
  return rejections;
}

}  // namespace orrery::test
