// Bounded parameters (sampled through the unconstrained transform, reported
// in the original space) and run lengths (fixed, or until converged), for
// every sampler of the library.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <orrery/diagnostics.hpp>

#include "ensemble_sampler.hpp"
#include "hmc_sampler.hpp"
#include "mala_sampler.hpp"
#include "nuts_sampler.hpp"
#include "gaussian_targets.hpp"
#include "support/numerics.hpp"
#include "support/test_context.hpp"

using orrery::ValueTable;
using orrery::test::TestContext;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// a ~ Gamma(2, 1) on [0, inf) and b ~ Beta(2, 3) on [0, 1], independent:
/// means 2 and 0.4, variances 2 and 0.04. Both have much of their mass near
/// a bound, where a sampler on the constrained scale keeps hitting the wall.
class GammaBetaTarget final : public orrery::Target {
 public:
  GammaBetaTarget() {
    orrery::ParameterBlock a;
    a.name = "a";
    a.lower = 0.0;
    space_.add(a);
    orrery::ParameterBlock b;
    b.name = "b";
    b.lower = 0.0;
    b.upper = 1.0;
    space_.add(b);
  }
  [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
  [[nodiscard]] bool has_gradient() const override { return true; }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override {
    Eigen::VectorXd g(2);
    return log_density_gradient(x, g);
  }
  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> g) const override {
    if (!(x[0] > 0.0 && x[1] > 0.0 && x[1] < 1.0)) {
      g.setZero();
      return -kInf;
    }
    g[0] = 1.0 / x[0] - 1.0;
    g[1] = 1.0 / x[1] - 2.0 / (1.0 - x[1]);
    return std::log(x[0]) - x[0] + std::log(x[1]) + 2.0 * std::log1p(-x[1]);
  }
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override {
    x << rng.uniform(0.5, 4.0), rng.uniform(0.1, 0.9);
  }

 private:
  orrery::ParameterSpace space_;
};

struct Run {
  std::unique_ptr<TestContext> context;
  orrery::SampleSet set;
};

template <typename S>
Run run_sampler(orrery::Target& target, ValueTable options, std::uint64_t seed = 7) {
  Run run;
  run.context = std::make_unique<TestContext>(std::move(options), orrery::ParameterSpace{}, seed, "sampler");
  run.context->add_reference("target", target);
  run.context->apply_schema(S::options());
  S sampler(*run.context);
  run.set = sampler.run(*run.context);
  return run;
}

std::vector<Eigen::VectorXd> column(const orrery::SampleSet& set, Eigen::Index j, double power = 1.0) {
  std::vector<Eigen::VectorXd> out;
  for (const orrery::Chain& c : set.chains) out.push_back(c.draws.col(j).array().pow(power).matrix());
  return out;
}

double statistic(const orrery::SampleSet& set, const std::string& name) {
  for (const auto& [key, value] : set.statistics)
    if (key == name) return value;
  FAIL("no statistic " << name);
  return 0.0;
}

/// Means and second moments of Gamma(2, 1) and Beta(2, 3) within 4 MCSE; the
/// draws stay inside the support and log_density is the original target's.
void check_gamma_beta(const orrery::SampleSet& set, const GammaBetaTarget& target) {
  const double truth_mean[] = {2.0, 0.4};
  const double truth_square[] = {6.0, 0.2};  // E[a²] = k(k+1); E[b²] = a(a+1)/((a+b)(a+b+1))
  for (Eigen::Index j = 0; j < 2; ++j) {
    const orrery::test::Estimate m = orrery::test::batch_means(column(set, j));
    const orrery::test::Estimate s = orrery::test::batch_means(column(set, j, 2.0));
    INFO("parameter " << j << ": mean " << m.value << " ± " << m.standard_error << ", E[x²] " << s.value << " ± "
                      << s.standard_error);
    CHECK(std::abs(m.value - truth_mean[j]) < 4.0 * m.standard_error);
    CHECK(std::abs(s.value - truth_square[j]) < 4.0 * s.standard_error);
  }
  for (const orrery::Chain& c : set.chains) {
    CHECK(c.draws.col(0).minCoeff() > 0.0);
    CHECK(c.draws.col(1).minCoeff() > 0.0);
    CHECK(c.draws.col(1).maxCoeff() < 1.0);
    for (Eigen::Index n = 0; n < c.draws.rows(); n += 97)
      CHECK(c.log_density[n] == Approx(target.log_density(c.draws.row(n).transpose())).epsilon(1e-10));
  }
}

}  // namespace

TEST_CASE("bounded parameters are sampled through the unconstrained transform by every sampler",
          "[samplers][unconstrained]") {
  GammaBetaTarget target;
  SECTION("nuts") {
    const Run run = run_sampler<orrery::samplers::NutsSampler>(target, {{"steps", 2000}, {"warmup", 500}});
    check_gamma_beta(run.set, target);
    CHECK(statistic(run.set, "divergences") == 0.0);
  }
  SECTION("hmc") {
    const Run run = run_sampler<orrery::samplers::HmcSampler>(target, {{"steps", 2000}, {"warmup", 500}, {"n_leapfrog", 8}});
    check_gamma_beta(run.set, target);
  }
  SECTION("mala") {
    const Run run = run_sampler<orrery::samplers::MalaSampler>(target, {{"steps", 6000}, {"warmup", 1000}});
    check_gamma_beta(run.set, target);
  }
  SECTION("ensemble") {
    const Run run = run_sampler<orrery::samplers::EnsembleSampler>(target, {{"steps", 3000}, {"warmup", 500}, {"walkers", 16}});
    check_gamma_beta(run.set, target);
  }
}

TEST_CASE("unconstrained = false samples on the original scale, rejecting outside the support",
          "[samplers][unconstrained]") {
  GammaBetaTarget target;
  const Run run = run_sampler<orrery::samplers::EnsembleSampler>(
      target, {{"steps", 3000}, {"warmup", 500}, {"walkers", 16}, {"unconstrained", false}});
  check_gamma_beta(run.set, target);
  std::uint64_t rejected = 0;
  for (const orrery::Chain& c : run.set.chains) rejected += c.nonfinite_rejections;
  CHECK(rejected > 0);  // proposals across the bounds: only possible on the original scale
}

TEST_CASE("until_converged stops once R-hat and bulk and tail ESS meet their targets", "[samplers][run_length]") {
  orrery::test::GaussianTarget target = orrery::test::correlated_target();
  const ValueTable converge{{"steps", 20000}, {"warmup", 300}, {"until_converged", true}, {"target_ess", 800.0},
                            {"check_every", 50}};
  const Run run = run_sampler<orrery::samplers::NutsSampler>(target, converge);
  CHECK(statistic(run.set, "converged") == 1.0);
  const double draws = statistic(run.set, "draws_per_chain");
  CHECK(draws < 20000);
  CHECK(static_cast<double>(run.set.chains.front().draws.rows()) == draws);
  CHECK(std::fmod(draws, 50.0) == 0.0);  // stops only at a check
  // The stopping rule really held at the stop.
  for (Eigen::Index j = 0; j < 2; ++j) {
    const orrery::diagnostics::Chains chains = column(run.set, j);
    CHECK(orrery::diagnostics::rhat(chains) < 1.01);
    CHECK(orrery::diagnostics::ess_bulk(chains) >= 800.0);
    CHECK(orrery::diagnostics::ess_tail(chains) >= 800.0);
  }

  // A target it cannot reach within `steps`: runs to the ceiling and says so.
  const Run capped = run_sampler<orrery::samplers::NutsSampler>(
      target, {{"steps", 100}, {"warmup", 100}, {"until_converged", true}, {"target_ess", 1e6}});
  CHECK(statistic(capped.set, "converged") == 0.0);
  CHECK(capped.set.chains.front().draws.rows() == 100);

  // The ensemble counts ensemble steps.
  const Run ensemble = run_sampler<orrery::samplers::EnsembleSampler>(
      target, {{"steps", 50000}, {"warmup", 500}, {"until_converged", true}, {"target_ess", 400.0}});
  CHECK(statistic(ensemble.set, "converged") == 1.0);
  CHECK(statistic(ensemble.set, "draws_per_chain") < 50000);
}

TEST_CASE("run-length options are checked", "[samplers][run_length]") {
  orrery::test::GaussianTarget target = orrery::test::correlated_target();
  auto message = [&](ValueTable options) {
    return orrery::test::config_error_message([&] { run_sampler<orrery::samplers::NutsSampler>(target, std::move(options)); });
  };
  CHECK_THAT(message({{"target_rhat", 0.99}}), Catch::Contains("target_rhat"));
  CHECK_THAT(message({{"target_ess", -1.0}}), Catch::Contains("target_ess"));
  CHECK_THAT(message({{"check_every", 0}}), Catch::Contains("check_every"));
}
