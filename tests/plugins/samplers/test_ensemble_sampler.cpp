// The affine-invariant ensemble sampler: moments of a correlated 2-D Gaussian,
// a badly scaled 5-D Gaussian and the Rosenbrock density of the emcee paper
// within 4 Monte Carlo standard errors, for each move and a mixture;
// reproducibility across runs and thread counts; non-finite densities; and
// option checks.
#include <catch2/catch.hpp>

#include <Eigen/Cholesky>
#include <cmath>
#include <limits>
#include <vector>

#include "ensemble_sampler.hpp"
#include "sampler_checks.hpp"
#include "support/numerics.hpp"
#include "support/test_context.hpp"

using orrery::ValueTable;
using orrery::samplers::EnsembleSampler;
using orrery::test::SamplerRun;
using orrery::test::TestContext;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

orrery::ParameterSpace space_of(Eigen::Index d) {
  return d == 2 ? orrery::test::scalar_space({"x", "y"}) : orrery::test::scalar_space({"a", "b", "c", "d", "e"});
}

/// N(mean, cov) in 2 or 5 dimensions, optionally NaN where x_0 > nan_above
/// and -inf where x_1 < minus_infinity_below. Initial points are uniform on
/// a box ±1 sd around the mean (emcee's usual "small ball" is not needed).
class GaussianTarget final : public orrery::Target {
 public:
  GaussianTarget(Eigen::VectorXd mean, Eigen::MatrixXd cov)
      : space_(space_of(mean.size())), mean_(std::move(mean)), cov_(std::move(cov)), llt_(cov_) {}

  [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override {
    if (x[0] > nan_above) return std::numeric_limits<double>::quiet_NaN();
    if (x[1] < minus_infinity_below) return -kInf;
    const Eigen::VectorXd r = llt_.matrixL().solve(x - mean_);
    return -0.5 * r.squaredNorm();
  }
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override {
    for (Eigen::Index i = 0; i < mean_.size(); ++i) x[i] = mean_[i] + std::sqrt(cov_(i, i)) * rng.uniform(-1.0, 1.0);
  }

  [[nodiscard]] const Eigen::VectorXd& mean() const { return mean_; }
  [[nodiscard]] const Eigen::MatrixXd& cov() const { return cov_; }

  double nan_above = kInf;
  double minus_infinity_below = -kInf;

 private:
  orrery::ParameterSpace space_;
  Eigen::VectorXd mean_;
  Eigen::MatrixXd cov_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
};

GaussianTarget correlated_2d() {
  Eigen::MatrixXd cov(2, 2);
  cov << 1.0, 1.6,  // sd 1 and 2, correlation 0.8
      1.6, 4.0;
  return GaussianTarget(Eigen::Vector2d(1.0, -2.0), cov);
}

/// Five coordinates with sds from 0.01 to 100 and some correlation: the
/// sampler is affine invariant, so the scales must not matter.
GaussianTarget scaled_5d() {
  Eigen::VectorXd mean(5);
  mean << 0.0, 10.0, -3.0, 0.5, 100.0;
  const Eigen::VectorXd sd = (Eigen::VectorXd(5) << 0.01, 0.1, 1.0, 10.0, 100.0).finished();
  Eigen::MatrixXd corr = Eigen::MatrixXd::Identity(5, 5);
  corr(0, 1) = corr(1, 0) = 0.5;
  corr(2, 3) = corr(3, 2) = -0.7;
  corr(3, 4) = corr(4, 3) = 0.3;
  return GaussianTarget(mean, sd.asDiagonal() * corr * sd.asDiagonal());
}

/// The Rosenbrock density of Goodman & Weare (2010) and the emcee paper:
/// log p = -(100 (y - x²)² + (1 - x)²) / 20. Analytically x ~ N(1, 10) and
/// y | x ~ N(x², 0.1), so E[x] = 1 and E[y] = E[x²] = 10 + 1 = 11.
class RosenbrockTarget final : public orrery::Target {
 public:
  [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override {
    const double a = x[1] - x[0] * x[0];
    const double b = 1.0 - x[0];
    return -(100.0 * a * a + b * b) / 20.0;
  }
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override {
    x[0] = rng.normal(1.0, 1.0);
    x[1] = x[0] * x[0] + rng.normal(0.0, 0.3);
  }

 private:
  orrery::ParameterSpace space_ = orrery::test::scalar_space({"x", "y"});
};

/// Runs an EnsembleSampler in a context named "ensemble" (the name seeds its stream).
constexpr orrery::test::SamplerRunner<EnsembleSampler> run_sampler{"ensemble"};

/// Mean over walkers and steps of f(draw), with a batch-means standard error
/// computed on the ensemble-averaged series (walkers of one ensemble are not
/// independent) cut into 25 batches, each much longer than the
/// autocorrelation times of these tests.
template <typename F>
orrery::test::Estimate ensemble_mean(const orrery::SampleSet& set, F f) {
  const Eigen::Index n = set.chains.front().draws.rows();
  Eigen::VectorXd averaged = Eigen::VectorXd::Zero(n);
  for (const orrery::Chain& chain : set.chains)
    for (Eigen::Index t = 0; t < n; ++t) averaged[t] += f(chain.draws.row(t));
  averaged /= static_cast<double>(set.chains.size());
  constexpr Eigen::Index kBatches = 25;
  const Eigen::Index size = n / kBatches;
  Eigen::VectorXd means(kBatches);
  for (Eigen::Index b = 0; b < kBatches; ++b) means[b] = averaged.segment(b * size, size).mean();
  return orrery::test::iid_mean(means);
}

/// Means and variances of every coordinate within 4 standard errors.
void check_moments(const orrery::SampleSet& set, const Eigen::VectorXd& mean, const Eigen::VectorXd& sd) {
  for (Eigen::Index i = 0; i < mean.size(); ++i) {
    const orrery::test::Estimate m = ensemble_mean(set, [&](const auto& x) { return x[i]; });
    INFO("mean " << i << ": " << m.value << " ± " << m.standard_error << ", truth " << mean[i]);
    CHECK(std::abs(m.value - mean[i]) < 4.0 * m.standard_error);
    CHECK(m.standard_error < 0.1 * sd[i]);  // the test has power
    const orrery::test::Estimate v =
        ensemble_mean(set, [&](const auto& x) { return (x[i] - mean[i]) * (x[i] - mean[i]); });
    INFO("variance " << i << ": " << v.value << " ± " << v.standard_error << ", truth " << sd[i] * sd[i]);
    CHECK(std::abs(v.value - sd[i] * sd[i]) < 4.0 * v.standard_error);
    CHECK(v.standard_error < 0.1 * sd[i] * sd[i]);
  }
}

void check_moments(const orrery::SampleSet& set, const GaussianTarget& target) {
  check_moments(set, target.mean(), target.cov().diagonal().cwiseSqrt());
}

}  // namespace

TEST_CASE("ensemble stretch move recovers a correlated 2-D Gaussian", "[samplers][ensemble]") {
  GaussianTarget target = correlated_2d();
  const SamplerRun run = run_sampler(target, {{"walkers", 16}, {"steps", 5000}, {"warmup", 500}});
  const orrery::SampleSet& set = run.set;

  REQUIRE(set.chains.size() == 16);  // one chain per walker
  for (const orrery::Chain& chain : set.chains) {
    CHECK(chain.draws.rows() == 5000);
    CHECK(chain.draws.cols() == 2);
    CHECK(chain.log_density.size() == 5000);
    CHECK(chain.weights.size() == 0);
    CHECK(chain.evaluations == 5500 + 1);  // one per step plus the initial point
    CHECK(chain.nonfinite_rejections == 0);
    // The stretch move with a = 2 accepts about half of its proposals in 2-D.
    CHECK(chain.acceptance_rate > 0.4);
    CHECK(chain.acceptance_rate < 0.9);
    for (Eigen::Index n = 0; n < chain.draws.rows(); n += 397)
      CHECK(chain.log_density[n] == Approx(target.log_density(chain.draws.row(n).transpose())).epsilon(1e-15));
  }
  check_moments(set, target);
  CHECK(set.statistics.at(0).first == "acceptance_rate");

  REQUIRE(run.context->progress_requests().size() == 1);
  CHECK(run.context->progress_requests()[0].first == "ensemble");
  CHECK(run.context->progress_requests()[0].second == 5500);
  CHECK(run.context->progress_done() == 5500);
}

TEST_CASE("ensemble moves recover a badly scaled 5-D Gaussian", "[samplers][ensemble]") {
  GaussianTarget target = scaled_5d();
  SECTION("stretch (default walkers: max(32, 2 d + 2))") {
    const SamplerRun run = run_sampler(target, {{"steps", 8000}, {"warmup", 1000}}, 1);
    CHECK(run.set.chains.size() == 32);
    check_moments(run.set, target);
  }
  SECTION("differential evolution") {
    check_moments(run_sampler(target, {{"stretch_weight", 0.0}, {"de_weight", 1.0}, {"steps", 8000}}, 2).set,
                  target);
  }
  SECTION("walk, all complementary walkers") {
    check_moments(run_sampler(target, {{"stretch_weight", 0.0}, {"walk_weight", 1.0}, {"steps", 8000}}, 3).set,
                  target);
  }
  SECTION("walk, subsets of 6") {
    check_moments(
        run_sampler(target, {{"stretch_weight", 0.0}, {"walk_weight", 1.0}, {"walk_size", 6}, {"steps", 8000}}, 4)
            .set,
        target);
  }
  SECTION("mixture 0.6 stretch, 0.3 DE, 0.1 walk, thinned") {
    const orrery::SampleSet set = run_sampler(target,
                                              {{"stretch_weight", 0.6},
                                               {"de_weight", 0.3},
                                               {"walk_weight", 0.1},
                                               {"steps", 16000},
                                               {"thin", 2},
                                               {"walkers", 20}},
                                              5)
                                      .set;
    CHECK(set.chains.size() == 20);
    CHECK(set.chains[0].draws.rows() == 8000);
    check_moments(set, target);
  }
}

TEST_CASE("ensemble recovers the analytic means of the Rosenbrock density", "[samplers][ensemble]") {
  // E[x] = 1, sd(x) = sqrt(10); E[y] = 11, sd(y) = sqrt(Var(x²) + 0.1) = sqrt(2·10² + 4·1·10 + 0.1).
  RosenbrockTarget target;
  // The stretch move mixes slowly here: emcee's estimator gives an
  // integrated autocorrelation time of about 1000-1500 steps for 32 walkers
  // (bench/samplers_ensemble prints it), so the run is long (about 250 τ),
  // thinned to keep memory small, and each of the 25 batches spans about 10 τ.
  const orrery::SampleSet set =
      run_sampler(target, {{"walkers", 32}, {"steps", 300000}, {"warmup", 5000}, {"thin", 20}}, 11).set;
  REQUIRE(set.chains.front().draws.rows() == 15000);
  const Eigen::Vector2d truth(1.0, 11.0);
  const Eigen::Vector2d sd(std::sqrt(10.0), std::sqrt(240.1));
  for (Eigen::Index i = 0; i < 2; ++i) {
    const orrery::test::Estimate m = ensemble_mean(set, [&](const auto& x) { return x[i]; });
    INFO("mean " << i << ": " << m.value << " ± " << m.standard_error << ", truth " << truth[i]);
    CHECK(std::abs(m.value - truth[i]) < 4.0 * m.standard_error);
    CHECK(m.standard_error < 0.1 * sd[i]);
  }
  // x is exactly N(1, 10).
  const orrery::test::Estimate v = ensemble_mean(set, [](const auto& x) { return (x[0] - 1.0) * (x[0] - 1.0); });
  INFO("var x: " << v.value << " ± " << v.standard_error);
  CHECK(std::abs(v.value - 10.0) < 4.0 * v.standard_error);
}

TEST_CASE("ensemble is reproducible and independent of the thread count", "[samplers][ensemble]") {
  GaussianTarget target = scaled_5d();
  const ValueTable options = {{"walkers", 12},        {"steps", 200},        {"warmup", 50},
                              {"stretch_weight", 0.5}, {"de_weight", 0.25}, {"walk_weight", 0.25},
                              {"walk_size", 4},        {"parallel", "always"}};
  const orrery::SampleSet first = run_sampler(target, options, 123, 1).set;
  const orrery::SampleSet again = run_sampler(target, options, 123, 1).set;
  const orrery::SampleSet two = run_sampler(target, options, 123, 2).set;
  const orrery::SampleSet five = run_sampler(target, options, 123, 5).set;
  const orrery::SampleSet other_seed = run_sampler(target, options, 124, 1).set;
  REQUIRE(first.chains.size() == 12);
  for (std::size_t c = 0; c < first.chains.size(); ++c) {
    for (const orrery::SampleSet* other : {&again, &two, &five}) {
      CHECK(first.chains[c].draws == other->chains[c].draws);
      CHECK(first.chains[c].log_density == other->chains[c].log_density);
      CHECK(first.chains[c].evaluations == other->chains[c].evaluations);
      CHECK(first.chains[c].acceptance_rate == other->chains[c].acceptance_rate);
    }
    CHECK(first.chains[c].draws != other_seed.chains[c].draws);
  }
  CHECK(first.chains[0].draws != first.chains[1].draws);
  CHECK(first.statistics == two.statistics);

  // "auto" and "never" only change the scheduling.
  for (const char* parallel : {"auto", "never"}) {
    ValueTable changed = options;
    changed.back().second = parallel;
    const orrery::SampleSet other = run_sampler(target, changed, 123, 2).set;
    for (std::size_t c = 0; c < first.chains.size(); ++c) CHECK(first.chains[c].draws == other.chains[c].draws);
  }
}

TEST_CASE("ensemble treats NaN and -inf densities as rejections", "[samplers][ensemble]") {
  GaussianTarget target = correlated_2d();
  target.nan_above = 1.5;               // NaN on part of the bulk
  target.minus_infinity_below = -3.0;   // -inf on another part
  for (const char* move : {"stretch_weight", "de_weight", "walk_weight"}) {
    // parallel = "always": non-finite densities on the threaded path too.
    ValueTable options = {
        {"walkers", 8}, {"steps", 1000}, {"warmup", 100}, {"parallel", "always"}, {"stretch_weight", 0.0}};
    if (std::string(move) == "stretch_weight")
      options.back().second = 1.0;
    else
      options.emplace_back(move, 1.0);
    const orrery::SampleSet set = run_sampler(target, options, 5, 2).set;
    const std::uint64_t rejections = orrery::test::sum_nonfinite_rejections(set, 1.5, -3.0);
    INFO(move);
    CHECK(rejections > 100);
  }

  SECTION("a target with no finite point fails with a clear error") {
    target.nan_above = -kInf;
    CHECK_THROWS_WITH(run_sampler(target, {{"walkers", 8}, {"steps", 10}}, 5, 2),
                      Catch::Contains("not finite") && Catch::Contains("walker"));
  }
}

TEST_CASE("ensemble option checks", "[samplers][ensemble]") {
  GaussianTarget target = scaled_5d();
  auto error_for = [&](ValueTable options) {
    return orrery::test::construction_error<EnsembleSampler>(target, std::move(options));
  };
  const std::string too_few = error_for({{"walkers", 8}});
  CHECK_THAT(too_few, Catch::Contains("option 'walkers'") && Catch::Contains("2 x dimension = 10") &&
                          Catch::Contains("found 8"));
  CHECK(error_for({{"walkers", 10}}).empty());
  CHECK_THAT(error_for({{"walkers", 2}}), Catch::Contains("option 'walkers'"));
  CHECK_THAT(error_for({{"steps", 10}, {"thin", 20}}), Catch::Contains("option 'thin'"));
  CHECK_THAT(error_for({{"stretch_weight", 0.0}}), Catch::Contains("stretch_weight"));
  CHECK_THAT(error_for({{"stretch_a", 1.0}}), Catch::Contains("option 'stretch_a'"));
  CHECK_THAT(error_for({{"walk_size", 1}}), Catch::Contains("option 'walk_size'"));
  CHECK_THAT(error_for({{"parallel", "sometimes"}}), Catch::Contains("option 'parallel'"));
  CHECK_THAT(error_for({{"walkers", 12}, {"walk_size", 7}}), Catch::Contains("option 'walk_size'"));
  CHECK(error_for({}).empty());  // every option has a default

  TestContext ctx(ValueTable{});
  ctx.add_reference("target", target);
  ctx.apply_schema(EnsembleSampler::options());
  const EnsembleSampler sampler(ctx);
  CHECK(sampler.walkers() == 32);
  CHECK(sampler.de_gamma() == Approx(2.38 / std::sqrt(10.0)));
  CHECK(sampler.walk_size() == 16);
}
