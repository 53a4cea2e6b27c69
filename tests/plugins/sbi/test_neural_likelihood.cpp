// sbi.nle with an analytic least-squares estimator (sbi_test_support.hpp):
// k = 2 observations give the sum of the two single log-likelihoods; the
// gradient matches central differences and is zero on a fixed parameter,
// which the simulations saw at its value; the batch equals single calls; the
// trained estimator is reused from the cache; observation-shape and
// too-few-simulations errors.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>

#include "neural_likelihood.hpp"
#include "sbi_test_support.hpp"

using namespace orrery;
using namespace orrery::sbi;
using namespace orrery::sbi::test;

namespace {

// θ = (theta[0], theta[1]) free with N(0, 1) priors, c = 0.7 fixed; x = θ_full + 0.1 ε (3 values).
struct NleRig {
  ParameterSpace full = theta_space(2, 0.7);
  IidPriorTarget prior{theta_space(2), 1.0};
  std::unique_ptr<ShiftSimulator> sim;
  LinearGaussianEstimator q;
  std::unique_ptr<TestContext> base;
  std::unique_ptr<CachedContext> ctx;
  std::unique_ptr<NeuralLikelihood> nle;

  NleRig(const std::filesystem::path& cache, std::optional<Array> obs, ValueTable options = {},
         std::unique_ptr<ShiftSimulator> simulator = nullptr) {
    sim = simulator ? std::move(simulator) : std::make_unique<ShiftSimulator>(3, 0.1);
    options.emplace_back("simulator", Value("@sim"));
    options.emplace_back("estimator", Value("@q"));
    bool has_simulations = false;
    for (const auto& [k, v] : options) has_simulations |= k == "simulations";
    if (!has_simulations) options.emplace_back("simulations", Value(std::int64_t{400}));
    base = std::make_unique<TestContext>(std::move(options), full, 20240601, "nle");
    base->add_reference("simulator", *sim);
    base->add_reference("prior", prior);
    base->add_reference("estimator", q);
    base->apply_schema(NeuralLikelihood::options());
    ctx = std::make_unique<CachedContext>(*base, cache, "nle-key", std::move(obs));
    nle = std::make_unique<NeuralLikelihood>(*ctx);
  }
};

const Array kTwo = observation({2, 3}, {0.3, -0.2, 0.72, 0.1, 0.05, 0.69});

}  // namespace

TEST_CASE("NLE with two observations is the sum of the single log-likelihoods", "[sbi][nle]") {
  TempDir c1("nle"), c2("nle"), c3("nle");
  NleRig both(c1.path(), kTwo);
  NleRig first(c2.path(), observation({3}, {0.3, -0.2, 0.72}));
  NleRig second(c3.path(), observation({3}, {0.1, 0.05, 0.69}));
  for (NleRig* r : {&both, &first, &second}) r->nle->prepare(*r->ctx);
  CHECK(both.nle->observations().cols() == 2);
  CHECK(both.q.pairs == 400);
  for (const Eigen::Vector3d& theta : {Eigen::Vector3d(0.2, -0.1, 0.7), Eigen::Vector3d(-0.5, 0.4, 0.7)}) {
    const double sum = first.nle->log_likelihood(theta) + second.nle->log_likelihood(theta);
    CHECK(both.nle->log_likelihood(theta) == Approx(sum).epsilon(1e-13));
  }
  // The fixed c = 0.7 reached the simulator: the learned mean of x[2] is 0.7.
  CHECK(both.q.mean(Eigen::Vector2d(0.0, 0.0))[2] == Approx(0.7).margin(0.03));
}

TEST_CASE("NLE gradient and batch agree with single evaluations", "[sbi][nle]") {
  TempDir cache("nle");
  NleRig rig(cache.path(), kTwo);
  rig.nle->prepare(*rig.ctx);
  REQUIRE(rig.nle->has_gradient());
  const Eigen::Vector3d theta(0.25, -0.05, 0.7);
  Eigen::VectorXd grad(3);
  const double value = rig.nle->log_likelihood_gradient(theta, grad);
  CHECK(value == Approx(rig.nle->log_likelihood(theta)).epsilon(1e-13));
  CHECK(grad[2] == 0.0);  // c is fixed
  for (int i = 0; i < 2; ++i) {
    const double h = 1e-5;
    Eigen::Vector3d up = theta, down = theta;
    up[i] += h;
    down[i] -= h;
    const double fd = (rig.nle->log_likelihood(up) - rig.nle->log_likelihood(down)) / (2 * h);
    CHECK(grad[i] == Approx(fd).epsilon(1e-6));
  }
  Eigen::MatrixXd thetas(3, 3);
  thetas << 0.1, -0.3, 0.8, 0.2, 0.0, -0.6, 0.7, 0.7, 0.7;
  Eigen::VectorXd batch(3);
  rig.nle->log_likelihood_batch(thetas, batch);
  for (Eigen::Index j = 0; j < 3; ++j) CHECK(batch[j] == Approx(rig.nle->log_likelihood(thetas.col(j))).epsilon(1e-13));
}

TEST_CASE("NLE reuses its trained estimator from the cache", "[sbi][nle]") {
  TempDir cache("nle");
  NleRig first(cache.path(), kTwo);
  first.nle->prepare(*first.ctx);
  CHECK(first.q.fits == 1);
  CHECK_FALSE(first.nle->training().reused_estimator);
  NleRig again(cache.path(), kTwo);
  again.nle->prepare(*again.ctx);
  CHECK(again.q.fits == 0);
  CHECK(again.q.loads == 1);
  CHECK(again.nle->training().reused_estimator);
  CHECK(again.nle->training().requested == 400);
  const Eigen::Vector3d theta(0.2, 0.3, 0.7);
  CHECK(again.nle->log_likelihood(theta) == first.nle->log_likelihood(theta));
  // The fit drew from the component's stream split off as "estimator".
  CHECK(first.q.fit_stream_value == first.base->rng().split("estimator").split(7).next());
}

TEST_CASE("NLE refuses an observation whose shape does not fit the simulator", "[sbi][nle]") {
  TempDir cache("nle");
  const std::string wrong = orrery::test::config_error_message(
      [&] { NleRig rig(cache.path(), observation({4}, {1, 2, 3, 4})); });
  CHECK_THAT(wrong, Catch::Contains("shape [4]") && Catch::Contains("shape [3]"));
  CHECK_THAT(wrong, Catch::Contains("whole simulator outputs"));
  const std::string none = orrery::test::config_error_message([&] { NleRig rig(cache.path(), std::nullopt); });
  CHECK_THAT(none, Catch::Contains("[observation]"));
}

TEST_CASE("NLE refuses too few simulations with the minimum", "[sbi][nle]") {
  TempDir cache("nle");
  const std::string few = orrery::test::config_error_message(
      [&] { NleRig rig(cache.path(), kTwo, {{"simulations", std::int64_t{10}}}); });
  CHECK_THAT(few, Catch::Contains("'simulations'") && Catch::Contains("20"));
  // 30 requested, about half fail (θ0 > 0 throws): fewer than 20 are left to train on.
  NleRig rig(cache.path(), kTwo, {{"simulations", std::int64_t{30}}, {"max_failed_fraction", 0.9}},
             std::make_unique<FlakySimulator>(3, 0.1, 0.0, -10.0));
  CHECK_THROWS_WITH(rig.nle->prepare(*rig.ctx), Catch::Contains("too few simulations to train") &&
                                                    Catch::Contains("at least 20"));
  CHECK(rig.q.fits == 0);
}
