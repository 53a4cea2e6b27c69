// Sampler validation on the toy plugin's analytic densities: for every
// sampler that handles a target, the means and variances of its draws agree
// with the exact values within 4 Monte Carlo standard errors (batch means with
// batches much longer than the autocorrelation time), and the standard errors
// are small enough for the check to mean something (SE of a mean below 0.1 sd,
// SE of a variance below 0.2 sd², i.e. the sd known to about 10%). Fixed
// seeds; each run prints its largest |z|, its smallest ESS of a mean and its
// run time.
//
//   toy.gaussian (100-D, κ 1e4)  nuts (dense metric), hmc (dense metric)
//   toy.gaussian (10-D, κ 100)   mala (diagonal metric only: the rotated 100-D case is out of its reach)
//   toy.banana (b = 0.1)         nuts (δ = 0.99), hmc (δ = 0.99), metropolis, ensemble
//   toy.rosenbrock               nuts (δ = 0.99), metropolis
//   toy.funnel (d = 10)          nuts: not validated (it cannot enter the neck); its diagnostics must say so
//
// Left out because they fail the 4·MCSE check at any affordable length (see
// docs/plugins/toy.md): mala on the banana (chains get stuck in the tails,
// where the gradient grows like x1³), the ensemble on the Rosenbrock density
// (walkers linger far out on the curved ridge for millions of steps), and
// nuts on the banana or Rosenbrock at δ ≤ 0.95 (divergences, biased tails).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include "banana_target.hpp"
#include "ensemble_sampler.hpp"
#include "funnel_target.hpp"
#include "gaussian_target.hpp"
#include "hmc_sampler.hpp"
#include "mala_sampler.hpp"
#include "metropolis_sampler.hpp"
#include "nuts_sampler.hpp"
#include "rosenbrock_target.hpp"
#include "support/numerics.hpp"
#include "support/test_context.hpp"

using orrery::ValueTable;
using orrery::test::build;
using orrery::test::Estimate;
using orrery::test::TestContext;
using orrery::toy::ToyTarget;
using Row = Eigen::Ref<const Eigen::RowVectorXd>;

namespace {

struct Run {
  std::unique_ptr<TestContext> context;
  orrery::SampleSet set;
  double seconds = 0.0;
};

template <typename S>
Run run_sampler(orrery::Target& target, ValueTable options, std::uint64_t seed) {
  Run run;
  run.context = std::make_unique<TestContext>(std::move(options), orrery::ParameterSpace{}, seed, "validation");
  run.context->add_reference("target", target);
  run.context->apply_schema(S::options());
  S sampler(*run.context);
  const auto start = std::chrono::steady_clock::now();
  run.set = sampler.run(*run.context);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

/// How draws are grouped into batches for the standard error.
enum class Pooling {
  Chains,   ///< independent chains, each cut into `batches` batches
  Walkers,  ///< walkers of one ensemble (not independent): their mean at each step, cut into `batches` batches
};

/// Mean of f over all draws with a batch-means standard error.
Estimate estimate(const orrery::SampleSet& set, const std::function<double(const Row&)>& f, Pooling pooling,
                  int batches) {
  std::vector<Eigen::VectorXd> series;
  for (const orrery::Chain& chain : set.chains) {
    Eigen::VectorXd s(chain.draws.rows());
    for (Eigen::Index n = 0; n < chain.draws.rows(); ++n) s[n] = f(chain.draws.row(n));
    series.push_back(std::move(s));
  }
  if (pooling == Pooling::Walkers) {
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(series.front().size());
    for (const Eigen::VectorXd& s : series) mean += s / static_cast<double>(series.size());
    series = {mean};
  }
  std::vector<double> means;
  double total = 0.0, count = 0.0;
  for (const Eigen::VectorXd& s : series) {
    const Eigen::Index size = s.size() / batches;
    for (int b = 0; b < batches; ++b) means.push_back(s.segment(b * size, size).mean());
    total += s.head(size * batches).sum();
    count += static_cast<double>(size * batches);
  }
  const double mean = total / count;
  double scatter = 0.0;
  for (double m : means) scatter += (m - mean) * (m - mean);
  const auto k = static_cast<double>(means.size());
  return {mean, std::sqrt(scatter / (k - 1.0) / k)};
}

/// An expectation E[f] with its exact value and a scale for the required precision.
struct Expectation {
  std::string name;
  std::function<double(const Row&)> f;
  double truth;
  double scale;  ///< the standard error must be below 0.1 × scale
};

/// E[x_i] = μ_i and E[(x_i − μ_i)²] = σ_i² for every coordinate.
std::vector<Expectation> means_and_variances(const ToyTarget& target) {
  std::vector<Expectation> out;
  const std::vector<std::string> names = target.space().element_names();
  for (Eigen::Index i = 0; i < target.exact_mean().size(); ++i) {
    const double mu = target.exact_mean()[i], sd = target.exact_sd()[i];
    out.push_back({"mean " + names[static_cast<std::size_t>(i)], [i](const Row& x) { return x[i]; }, mu, sd});
    out.push_back({"var " + names[static_cast<std::size_t>(i)],
                   [i, mu](const Row& x) { return (x[i] - mu) * (x[i] - mu); }, sd * sd, 2.0 * sd * sd});
  }
  return out;
}

/// Checks every expectation within 4 standard errors and reports the run.
void check(const std::string& label, const Run& run, const std::vector<Expectation>& expectations, Pooling pooling,
           int batches) {
  double max_z = 0.0, min_ess = std::numeric_limits<double>::infinity();
  std::string worst;
  std::uint64_t evaluations = 0;
  for (const orrery::Chain& c : run.set.chains) evaluations += c.evaluations;
  for (const Expectation& e : expectations) {
    const Estimate m = estimate(run.set, e.f, pooling, batches);
    const double z = (m.value - e.truth) / m.standard_error;
    INFO(label << ": " << e.name << " = " << m.value << " ± " << m.standard_error << ", exact " << e.truth << ", z = "
               << z);
    CHECK(std::abs(z) < 4.0);
    CHECK(m.standard_error < 0.1 * e.scale);
    if (std::abs(z) > max_z) {
      max_z = std::abs(z);
      worst = e.name;
    }
    if (e.name.rfind("mean ", 0) == 0)
      min_ess = std::min(min_ess, e.scale * e.scale / (m.standard_error * m.standard_error));
  }
  std::string stats;
  for (const auto& [key, value] : run.set.statistics)
    if (key == "divergences" || key == "step_size" || key == "tree_depth" || key == "acceptance_rate")
      stats += ", " + key + " " + std::to_string(value);
  WARN(label << ": max |z| " << max_z << " (" << worst << ") over " << expectations.size() << " moments; min ESS(mean) "
             << min_ess << "; " << evaluations << " evaluations; " << run.seconds << " s" << stats);
}

// NUTS, HMC and MALA need gradients; metropolis and ensemble use densities only.
using orrery::samplers::MetropolisSampler;
using orrery::samplers::EnsembleSampler;
using orrery::samplers::HmcSampler;
using orrery::samplers::MalaSampler;
using orrery::samplers::NutsSampler;

}  // namespace

TEST_CASE("100-D Gaussian with condition number 1e4 and a random rotation", "[toy][validation][gaussian]") {
  auto target = build<orrery::toy::GaussianTarget>({{"mean", 1.0}});
  const auto expectations = means_and_variances(*target);
  SECTION("nuts, dense metric") {
    // Stan's windows: the last slow window (500 draws) estimates the 100×100 metric.
    const Run run = run_sampler<NutsSampler>(
        *target, {{"chains", 4}, {"warmup", 1000}, {"steps", 500}, {"metric", "dense"}}, 1);
    check("nuts dense / gaussian-100", run, expectations, Pooling::Chains, 20);
  }
  SECTION("hmc, dense metric") {
    // 20 steps of ~0.38 make trajectories of ~7.6 in whitened units: long
    // enough to cross the target during warm-up (5 steps are not; the metric
    // is then learnt from a slowly mixing chain and the variances come out low).
    const Run run = run_sampler<HmcSampler>(
        *target, {{"chains", 4}, {"warmup", 1500}, {"steps", 1500}, {"metric", "dense"}, {"n_leapfrog", 20}}, 1);
    check("hmc dense / gaussian-100", run, expectations, Pooling::Chains, 20);
  }
}

TEST_CASE("10-D Gaussian with condition number 100 (mala)", "[toy][validation][gaussian]") {
  auto target = build<orrery::toy::GaussianTarget>({{"dimension", 10}, {"condition_number", 100.0}, {"mean", 1.0}});
  const Run run = run_sampler<MalaSampler>(*target, {{"chains", 4}, {"warmup", 2000}, {"steps", 20000}}, 1);
  check("mala / gaussian-10", run, means_and_variances(*target), Pooling::Chains, 20);
}

TEST_CASE("nuts is exact with deep trees: a 2-D standard normal with a small fixed step", "[toy][validation][nuts]") {
  // No warm-up, identity metric, ε = 0.1: trees of depth 4–5, so the U-turn
  // checks across merged subtrees decide where trajectories end. If they are
  // not symmetric in time the chain is not reversible and the variance comes
  // out biased (a wrong boundary momentum there gave +3.5%, z ≈ 6).
  auto target = build<orrery::toy::GaussianTarget>({{"dimension", 2}, {"condition_number", 1.0}});
  const Run run = run_sampler<NutsSampler>(
      *target, {{"chains", 4}, {"warmup", 0}, {"steps", 50000}, {"initial_step_size", 0.1}}, 1);
  check("nuts eps 0.1 / standard normal", run, means_and_variances(*target), Pooling::Chains, 20);
}

TEST_CASE("Haario's banana, b = 0.1", "[toy][validation][banana]") {
  auto target = build<orrery::toy::BananaTarget>({});
  const auto expectations = means_and_variances(*target);
  SECTION("nuts") {
    // δ = 0.99: at the default 0.8 (and at 0.95) the curved tails cause
    // divergences and var(x2) comes out 10–20% low.
    check("nuts / banana",
          run_sampler<NutsSampler>(*target, {{"chains", 4}, {"warmup", 1000}, {"steps", 5000}, {"delta", 0.99}}, 1),
          expectations, Pooling::Chains, 20);
  }
  SECTION("hmc") {
    check("hmc / banana",
          run_sampler<HmcSampler>(
              *target, {{"chains", 4}, {"warmup", 1000}, {"steps", 20000}, {"delta", 0.99}, {"n_leapfrog", 50}}, 1),
          expectations, Pooling::Chains, 20);
  }
  SECTION("metropolis") {
    check("metropolis / banana",
          run_sampler<MetropolisSampler>(*target, {{"chains", 4}, {"warmup", 10000}, {"steps", 1000000}, {"thin", 50}},
                                         1),
          expectations, Pooling::Chains, 20);
  }
  SECTION("ensemble") {
    // 64 walkers: with 32 the stretch move visits the far tails too rarely
    // (1 seed in 6 failed at 300 000 steps).
    check("ensemble / banana",
          run_sampler<EnsembleSampler>(*target, {{"walkers", 64}, {"warmup", 5000}, {"steps", 200000}, {"thin", 10}},
                                       1),
          expectations, Pooling::Walkers, 50);
  }
}

TEST_CASE("the Rosenbrock density of the emcee paper", "[toy][validation][rosenbrock]") {
  auto target = build<orrery::toy::RosenbrockTarget>({});
  const auto expectations = means_and_variances(*target);
  SECTION("nuts") {
    check("nuts / rosenbrock",
          run_sampler<NutsSampler>(*target, {{"chains", 4}, {"warmup", 1000}, {"steps", 5000}, {"delta", 0.99}}, 1),
          expectations, Pooling::Chains, 20);
  }
  SECTION("metropolis") {
    // τ is in the thousands of steps along the ridge: long chains, thinned.
    check("metropolis / rosenbrock",
          run_sampler<MetropolisSampler>(*target, {{"chains", 4}, {"warmup", 20000}, {"steps", 4000000}, {"thin", 100}},
                                         1),
          expectations, Pooling::Chains, 20);
  }
}

TEST_CASE("Neal's funnel, d = 10: nuts cannot enter the neck, and its diagnostics say so",
          "[toy][validation][funnel]") {
  // Not a moment check: with a Euclidean metric, NUTS under-samples v < −5
  // (P = 4.8%) by a factor of 2–5 whatever δ, so var(v) comes out 10–25% low
  // (3 seeds in 7 beyond 4 MCSE at δ = 0.999). What must hold is that a user
  // is warned: E-BFMI far below Stan's 0.3 threshold.
  auto target = build<orrery::toy::FunnelTarget>({});
  const Run run =
      run_sampler<NutsSampler>(*target, {{"chains", 4}, {"warmup", 1000}, {"steps", 2000}, {"delta", 0.95}}, 1);
  double ebfmi = 0.0, divergences = 0.0;
  for (const auto& [key, value] : run.set.statistics) {
    if (key == "ebfmi") ebfmi = value;
    if (key == "divergences") divergences = value;
  }
  double below = 0.0, count = 0.0;
  for (const orrery::Chain& c : run.set.chains)
    for (Eigen::Index n = 0; n < c.draws.rows(); ++n, count += 1.0) below += c.draws(n, 0) < -5.0 ? 1.0 : 0.0;
  WARN("nuts / funnel: E-BFMI " << ebfmi << ", divergences " << divergences << ", P(v < -5) " << below / count
                                << " (exact 0.0478); " << run.seconds << " s");
  CHECK(ebfmi > 0.0);
  CHECK(ebfmi < 0.3);
}
