// sbi.npe with an analytic least-squares estimator (sbi_test_support.hpp) on
// a uniform prior box: the draws are i.i.d. from q(θ | x_obs) inside the
// support, bit-identical on 1 and 3 threads, with the rejection acceptance
// (the mass q puts inside the support, checked against its exact value) and
// log q renormalised by it; leakage gives a warning, or an error when the
// draw cap is reached; more than one observation is refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

#include "neural_posterior.hpp"
#include "sbi_test_support.hpp"

using namespace orrery;
using namespace orrery::sbi;
using namespace orrery::sbi::test;

namespace {

// θ ∈ [-1, 1]², x = θ + 0.3 ε.
struct NpeRig {
  ParameterSpace full = theta_space(2);
  IidPriorTarget prior{theta_space(2), -1.0, 1.0};
  ShiftSimulator sim{2, 0.3};
  LinearGaussianEstimator q;
  std::unique_ptr<TestContext> base;
  std::unique_ptr<CachedContext> ctx;
  std::unique_ptr<NeuralPosteriorSampler> npe;

  NpeRig(const std::filesystem::path& cache, Array obs, ValueTable options = {}, std::size_t threads = 1) {
    options.emplace_back("simulator", Value("@sim"));
    options.emplace_back("estimator", Value("@q"));
    options.emplace_back("simulations", Value(std::int64_t{2000}));
    base = std::make_unique<TestContext>(std::move(options), full, 77, "npe");
    base->set_threads(threads);
    base->add_reference("simulator", sim);
    base->add_reference("prior", prior);
    base->add_reference("estimator", q);
    base->apply_schema(NeuralPosteriorSampler::options());
    ctx = std::make_unique<CachedContext>(*base, cache, "npe-key", std::move(obs));
    npe = std::make_unique<NeuralPosteriorSampler>(*ctx);
  }
  SampleSet run() {
    npe->prepare(*ctx);
    return npe->run(*ctx);
  }
};

double statistic(const SampleSet& s, const std::string& name) {
  for (const auto& [k, v] : s.statistics)
    if (k == name) return v;
  return std::nan("");
}

}  // namespace

TEST_CASE("NPE draws lie in the prior support and do not depend on the thread count", "[sbi][npe]") {
  TempDir c1("npe"), c3("npe");
  NpeRig one(c1.path(), observation({2}, {0.9, -0.2}), {{"samples", 3000}}, 1);
  NpeRig three(c3.path(), observation({2}, {0.9, -0.2}), {{"samples", 3000}}, 3);
  const SampleSet a = one.run(), b = three.run();
  REQUIRE(a.chains.size() == 1);
  const Chain& chain = a.chains[0];
  CHECK(chain.draws.rows() == 3000);
  CHECK(chain.draws.cols() == 2);
  CHECK(chain.draws == b.chains[0].draws);
  CHECK(chain.log_density == b.chains[0].log_density);
  CHECK((chain.draws.array().abs() <= 1.0).all());
  // q(θ | x) mean ≈ 0.79 x (least squares on the uniform prior); θ0's is truncated at 1.
  const Eigen::Vector2d q_mean = one.q.mean(Eigen::Vector2d(0.9, -0.2));
  CHECK(chain.draws.col(1).mean() == Approx(q_mean[1]).margin(0.03));
  // Acceptance: kept / drawn, the rest counted as rejections.
  const double acc = statistic(a, "rejection_acceptance");
  CHECK(acc == chain.acceptance_rate);
  CHECK(acc > 0.5);
  CHECK(acc < 1.0);
  CHECK(chain.evaluations == 8 * 1024);  // one round of draws was enough
  CHECK(static_cast<double>(chain.evaluations - chain.nonfinite_rejections) / static_cast<double>(chain.evaluations) == acc);
  CHECK(statistic(a, "simulations") == 2000);
  CHECK(statistic(a, "training_pairs") == 2000);
  // The acceptance estimates the mass q puts inside the box, exactly
  // Π_i [Φ((1 − μ_i)/σ_i) − Φ((−1 − μ_i)/σ_i)] for this Gaussian q; within 4 standard errors.
  double inside = 1.0;
  for (int i = 0; i < 2; ++i) {
    const double sd = std::sqrt(one.q.variance()[i]);
    auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
    inside *= cdf((1.0 - q_mean[i]) / sd) - cdf((-1.0 - q_mean[i]) / sd);
  }
  const double drawn = static_cast<double>(chain.evaluations);
  CHECK(std::abs(acc - inside) < 4.0 * std::sqrt(inside * (1.0 - inside) / drawn));
  // log_density is log q renormalised to the box (sbi's leakage correction):
  // log q − log(acceptance); the target itself is log q, −∞ outside the box.
  const Target& target = one.npe->target();
  CHECK(target.space().dimension() == 2);
  CHECK(chain.log_density[5] ==
        Approx(target.log_density(chain.draws.row(5).transpose()) - std::log(acc)).epsilon(1e-14));
  CHECK(std::isinf(target.log_density(Eigen::Vector2d(1.5, 0.0))));
  RandomStream rng(3);
  Eigen::VectorXd start(2);
  target.initial_point(rng, start);
  CHECK(std::isfinite(target.log_density(start)));
}

TEST_CASE("NPE warns about leakage and stops at the draw cap", "[sbi][npe]") {
  TempDir cache("npe");
  // x_obs = (2, 2): q(θ | x) centres near (1.57, 1.57), about 2 sd outside the box: acceptance ~ 2e-4.
  NpeRig leaky(cache.path(), observation({2}, {2.0, 2.0}), {{"samples", 20}, {"max_draws_per_sample", 100000.0}});
  const SampleSet s = leaky.run();
  CHECK(s.chains[0].draws.rows() == 20);
  CHECK(statistic(s, "rejection_acceptance") < 0.01);
  bool warned = false;
  for (const auto& [level, message] : leaky.base->log().messages())
    warned |= level == LogLevel::Warning && message.find("leaks") != std::string::npos;
  CHECK(warned);

  NpeRig capped(cache.path(), observation({2}, {2.0, 2.0}), {{"samples", 100}, {"max_draws_per_sample", 50.0}});
  CHECK_THROWS_WITH(capped.run(), Catch::Contains("leakage") && Catch::Contains("5000 draws") &&
                                       Catch::Contains("max_draws_per_sample"));
}

TEST_CASE("NPE takes exactly one observation", "[sbi][npe]") {
  TempDir cache("npe");
  const std::string two = orrery::test::config_error_message(
      [&] { NpeRig rig(cache.path(), observation({2, 2}, {0.1, 0.2, 0.3, 0.4})); });
  CHECK_THAT(two, Catch::Contains("2 observations") && Catch::Contains("at most 1"));
}

TEST_CASE("NPE offers its trained posterior as an amortized posterior once prepared", "[sbi][npe]") {
  TempDir cache("npe");
  NpeRig rig(cache.path(), observation({2}, {0.9, -0.2}), {{"samples", 100}});
  CHECK(amortized_posterior(*rig.npe) == nullptr);  // not before prepare()
  rig.npe->prepare(*rig.ctx);
  const AmortizedPosterior* q = amortized_posterior(*rig.npe);
  REQUIRE(q != nullptr);
  CHECK(q->space().dimension() == 2);
  // simulate: θ from the prior box, data = θ + 0.3 ε.
  RandomStream rng(11);
  Eigen::VectorXd theta(2), data;
  REQUIRE(q->simulate(rng, theta, data));
  CHECK((theta.array().abs() <= 1.0).all());
  CHECK(data.size() == 2);
  // sample: inside the box, the same draws for the same stream; log_prob = the estimator's.
  Eigen::MatrixXd draws(2, 500), again(2, 500);
  RandomStream s1(5), s2(5);
  q->sample(Eigen::Vector2d(0.9, -0.2), s1, draws);
  q->sample(Eigen::Vector2d(0.9, -0.2), s2, again);
  CHECK(draws == again);
  CHECK((draws.array().abs() <= 1.0).all());
  Eigen::VectorXd lp(500), expected(500);
  q->log_prob(draws, Eigen::Vector2d(0.9, -0.2), lp);
  rig.q.log_prob(draws, Eigen::MatrixXd(Eigen::Vector2d(0.9, -0.2).replicate(1, 500)), expected);
  CHECK(lp == expected);
  CHECK(rig.npe->extension("orrery.something_else/1") == nullptr);
}
