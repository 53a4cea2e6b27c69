// The adaptive Metropolis sampler on a correlated 2-D Gaussian target:
// moments within 4 Monte Carlo standard errors, reproducibility across runs
// and thread counts, non-finite densities, and option checks.
#include <catch2/catch.hpp>

#include <Eigen/LU>
#include <cmath>
#include <limits>
#include <vector>

#include "metropolis_sampler.hpp"
#include "sampler_checks.hpp"
#include "support/numerics.hpp"
#include "support/test_context.hpp"

using orrery::ValueTable;
using orrery::samplers::MetropolisSampler;
using orrery::test::per_chain_series;
using orrery::test::SamplerRun;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// N(mean, cov) in two dimensions, optionally with regions where the density
/// is NaN (x > nan_above_x) or -inf (y < minus_infinity_below_y). Initial
/// points are uniform on a box around the mean, three sd wide each way.
class GaussianTarget final : public orrery::Target {
 public:
  GaussianTarget(Eigen::Vector2d mean, Eigen::Matrix2d cov)
      : space_(orrery::test::scalar_space({"x", "y"})), mean_(mean), cov_(cov), precision_(cov.inverse()) {}

  [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override {
    if (x[0] > nan_above_x) return std::numeric_limits<double>::quiet_NaN();
    if (x[1] < minus_infinity_below_y) return -kInf;
    const Eigen::Vector2d r = x - mean_;
    return -0.5 * r.dot(precision_ * r);
  }
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override {
    for (Eigen::Index i = 0; i < 2; ++i) x[i] = mean_[i] + 3.0 * std::sqrt(cov_(i, i)) * rng.uniform(-1.0, 1.0);
  }

  [[nodiscard]] const Eigen::Vector2d& mean() const { return mean_; }
  [[nodiscard]] const Eigen::Matrix2d& cov() const { return cov_; }

  double nan_above_x = kInf;
  double minus_infinity_below_y = -kInf;

 private:
  orrery::ParameterSpace space_;
  Eigen::Vector2d mean_;
  Eigen::Matrix2d cov_;
  Eigen::Matrix2d precision_;
};

GaussianTarget correlated_target() {
  Eigen::Matrix2d cov;
  cov << 1.0, 1.6,  // sd 1 and 2, correlation 0.8
      1.6, 4.0;
  return GaussianTarget(Eigen::Vector2d(1.0, -2.0), cov);
}

/// Runs a MetropolisSampler in a context named "mcmc" (the name seeds its stream).
constexpr orrery::test::SamplerRunner<MetropolisSampler> run_sampler{"mcmc"};

/// Means and covariance entries of the draws agree with the target's within
/// 4 batch-means standard errors.
void check_moments(const orrery::SampleSet& set, const GaussianTarget& target) {
  const Eigen::Vector2d& mu = target.mean();
  for (int i = 0; i < 2; ++i) {
    const orrery::test::Estimate m =
        orrery::test::batch_means(per_chain_series(set, [&](const auto& x) { return x[i]; }));
    INFO("mean " << i << ": " << m.value << " ± " << m.standard_error << ", truth " << mu[i]);
    CHECK(std::abs(m.value - mu[i]) < 4.0 * m.standard_error);
    CHECK(m.standard_error < 0.1 * std::sqrt(target.cov()(i, i)));  // the test has power
  }
  for (int i = 0; i < 2; ++i)
    for (int j = i; j < 2; ++j) {
      const orrery::test::Estimate c = orrery::test::batch_means(
          per_chain_series(set, [&](const auto& x) { return (x[i] - mu[i]) * (x[j] - mu[j]); }));
      INFO("cov(" << i << ", " << j << "): " << c.value << " ± " << c.standard_error << ", truth "
                  << target.cov()(i, j));
      CHECK(std::abs(c.value - target.cov()(i, j)) < 4.0 * c.standard_error);
    }
}

}  // namespace

TEST_CASE("metropolis recovers a correlated Gaussian", "[core][sampler]") {
  GaussianTarget target = correlated_target();
  const SamplerRun run = run_sampler(target, {{"chains", 4}, {"steps", 5000}, {"warmup", 1000}});
  const orrery::SampleSet& set = run.set;

  REQUIRE(set.chains.size() == 4);
  for (const orrery::Chain& chain : set.chains) {
    CHECK(chain.draws.rows() == 5000);
    CHECK(chain.draws.cols() == 2);
    CHECK(chain.log_density.size() == 5000);
    CHECK(chain.weights.size() == 0);
    CHECK(chain.evaluations >= 6000);
    CHECK(chain.nonfinite_rejections == 0);
    // Adapted towards 0.234 during warm-up; a loose sanity band, not a statistical bound.
    CHECK(chain.acceptance_rate > 0.1);
    CHECK(chain.acceptance_rate < 0.5);
    for (Eigen::Index n = 0; n < chain.draws.rows(); n += 397)
      CHECK(chain.log_density[n] == Approx(target.log_density(chain.draws.row(n).transpose())).epsilon(1e-15));
  }
  check_moments(set, target);

  // Progress covers every step of every chain, warm-up included.
  REQUIRE(run.context->progress_requests().size() == 1);
  CHECK(run.context->progress_requests()[0].first == "metropolis");
  CHECK(run.context->progress_requests()[0].second == 4 * 6000);
  CHECK(run.context->progress_done() == 4 * 6000);
}

TEST_CASE("metropolis variants also recover the Gaussian", "[core][sampler]") {
  GaussianTarget target = correlated_target();
  SECTION("diagonal adaptation") {
    check_moments(run_sampler(target, {{"proposal", "diagonal"}, {"steps", 8000}}, 7).set, target);
  }
  SECTION("no adaptation") {
    // Without adaptation the chain mixes slowly; 30 000 steps make the batch
    // means (√n-long batches) long enough for their standard error to hold.
    check_moments(run_sampler(target, {{"adapt", false}, {"initial_scale", 0.5}, {"steps", 30000}}, 8).set, target);
  }
  SECTION("no warm-up, thinned") {
    const orrery::SampleSet set =
        run_sampler(target, {{"warmup", 0}, {"initial_scale", 0.5}, {"steps", 24000}, {"thin", 3}}, 9).set;
    CHECK(set.chains[0].draws.rows() == 8000);
    // The chain starts away from equilibrium (uniform on a ±3 sd box), so the
    // first draws are biased; drop a short burn-in before checking.
    orrery::SampleSet trimmed;
    for (const orrery::Chain& chain : set.chains) {
      orrery::Chain c;
      c.draws = chain.draws.bottomRows(7500);
      trimmed.chains.push_back(c);
    }
    check_moments(trimmed, target);
  }
}

TEST_CASE("metropolis is reproducible and independent of the thread count", "[core][sampler]") {
  GaussianTarget target = correlated_target();
  const ValueTable options = {{"chains", 3}, {"steps", 2000}, {"warmup", 500}};
  const orrery::SampleSet first = run_sampler(target, options, 123, 1).set;
  const orrery::SampleSet again = run_sampler(target, options, 123, 1).set;
  const orrery::SampleSet threaded = run_sampler(target, options, 123, 2).set;
  const orrery::SampleSet other_seed = run_sampler(target, options, 124, 1).set;
  for (std::size_t c = 0; c < 3; ++c) {
    CHECK(first.chains[c].draws == again.chains[c].draws);
    CHECK(first.chains[c].log_density == again.chains[c].log_density);
    CHECK(first.chains[c].draws == threaded.chains[c].draws);
    CHECK(first.chains[c].log_density == threaded.chains[c].log_density);
    CHECK(first.chains[c].evaluations == threaded.chains[c].evaluations);
    CHECK(first.chains[c].acceptance_rate == threaded.chains[c].acceptance_rate);
    CHECK(first.chains[c].draws != other_seed.chains[c].draws);
  }
  // Chains are independent streams, not copies of each other.
  CHECK(first.chains[0].draws != first.chains[1].draws);
  CHECK(first.statistics == threaded.statistics);
}

TEST_CASE("metropolis treats NaN and -inf densities as rejections", "[core][sampler]") {
  GaussianTarget target = correlated_target();
  target.nan_above_x = 1.5;               // NaN on part of the bulk
  target.minus_infinity_below_y = -3.0;   // -inf on another part
  const orrery::SampleSet set = run_sampler(target, {{"chains", 2}, {"steps", 3000}, {"warmup", 500}}, 5, 2).set;
  const std::uint64_t rejections = orrery::test::sum_nonfinite_rejections(set, 1.5, -3.0);
  CHECK(rejections > 100);

  SECTION("a target with no finite point fails with a clear error") {
    target.nan_above_x = -kInf;
    CHECK_THROWS_WITH(run_sampler(target, {{"chains", 2}, {"steps", 10}}, 5, 2),
                      Catch::Contains("not finite") && Catch::Contains("chain"));
  }
}

TEST_CASE("metropolis option checks", "[core][sampler]") {
  GaussianTarget target = correlated_target();
  auto error_for = [&](ValueTable options) {
    return orrery::test::construction_error<MetropolisSampler>(target, std::move(options));
  };
  CHECK_THAT(error_for({{"steps", 10}, {"thin", 20}}), Catch::Contains("option 'thin'"));
  CHECK_THAT(error_for({{"initial_scale", 0.0}}), Catch::Contains("option 'initial_scale'"));
  CHECK_THAT(error_for({{"chains", 0}}), Catch::Contains("option 'chains'"));
  CHECK_THAT(error_for({{"proposal", "banana"}}), Catch::Contains("option 'proposal'"));
  CHECK(error_for({}).empty());  // every option has a default
}
