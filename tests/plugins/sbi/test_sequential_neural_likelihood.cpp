// sbi.snle with an analytic least-squares estimator (sbi_test_support.hpp) on
// x = θ_full + 0.1 ε, θ ~ N(0, I) free and c = 0.7 fixed:
//   * round structure: rounds × simulations pairs, one cached set per round,
//     one fit per round;
//   * later rounds' θ concentrate on the posterior N(x/1.01, 0.01/1.01 I);
//   * bit-identical sets and likelihood on 1 and 3 threads;
//   * rounds = 1 is sbi.nle with the same budget, bit for bit;
//   * a rerun reuses the estimator; with the estimator gone, it resumes from
//     the cached rounds with a single fit and the same result;
//   * failures in later rounds are counted per round;
//   * bad input: rounds = 0, too few candidates, the observation's shape, too
//     few simulations, evaluation before prepare().
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "neural_likelihood.hpp"
#include "sbi_test_support.hpp"
#include "sequential_neural_likelihood.hpp"

using namespace orrery;
using namespace orrery::sbi;
using namespace orrery::sbi::test;

namespace {

const Array kObservation = observation({3}, {0.3, -0.2, 0.72});

ValueTable snle_options(std::int64_t rounds, std::int64_t simulations) {
  return {{"rounds", rounds},
          {"simulations", simulations},
          {"proposal_walkers", std::int64_t{20}},
          {"proposal_warmup", std::int64_t{60}},
          {"proposal_thin", std::int64_t{3}},
          {"proposal_candidates", std::int64_t{1000}}};
}

struct SnleRig {
  ParameterSpace full = theta_space(2, 0.7);
  IidPriorTarget prior{theta_space(2), 1.0};
  std::unique_ptr<ShiftSimulator> sim;
  LinearGaussianEstimator q;
  std::unique_ptr<TestContext> base;
  std::unique_ptr<CachedContext> ctx;
  std::unique_ptr<SequentialNeuralLikelihood> snle;

  SnleRig(const std::filesystem::path& cache, ValueTable options, std::size_t threads = 1,
          std::optional<Array> obs = kObservation, std::unique_ptr<ShiftSimulator> simulator = nullptr,
          std::string name = "snle") {
    sim = simulator ? std::move(simulator) : std::make_unique<ShiftSimulator>(3, 0.1);
    options.emplace_back("simulator", Value("@sim"));
    options.emplace_back("estimator", Value("@q"));
    base = std::make_unique<TestContext>(std::move(options), full, 20240601, name);
    base->set_threads(threads);
    base->add_reference("simulator", *sim);
    base->add_reference("prior", prior);
    base->add_reference("estimator", q);
    base->apply_schema(SequentialNeuralLikelihood::options());
    ctx = std::make_unique<CachedContext>(*base, cache, "snle-key", std::move(obs));
    snle = std::make_unique<SequentialNeuralLikelihood>(*ctx);
  }
};

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool logged(const TestContext& ctx, const std::string& text) {
  for (const auto& [level, message] : ctx.log().messages())
    if (message.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("SNLE runs rounds of simulations and retrains on all of them", "[sbi][snle]") {
  TempDir cache("snle");
  SnleRig rig(cache.path(), snle_options(3, 200));
  rig.snle->prepare(*rig.ctx);
  CHECK(rig.q.fits == 3);  // after rounds 1 and 2 (for the proposals) and the final one
  CHECK(rig.snle->fits() == 3);
  CHECK(rig.q.pairs == 600);
  CHECK(rig.snle->training().requested == 600);
  CHECK(rig.snle->training().pairs == 600);
  CHECK(rig.snle->training().failed == 0);
  const auto& rounds = rig.snle->round_summaries();
  REQUIRE(rounds.size() == 3);
  for (std::size_t r = 0; r < 3; ++r) {
    CHECK(rounds[r].round == r + 1);
    CHECK(rounds[r].requested == 200);
    CHECK(rounds[r].pairs == 200 * (r + 1));
    CHECK(rounds[r].from_prior == (r == 0));
    CHECK(rounds[r].proposal_run == (r > 0));
    CHECK_FALSE(rounds[r].reused_simulations);
    // One cached set per round: 200 rows of θ (2 float64) after a 128-byte header.
    const auto set = rig.ctx->cache().find(SequentialNeuralLikelihood::round_artifact(r + 1));
    REQUIRE(set);
    CHECK(std::filesystem::file_size(*set / "theta.npy") == 128 + 200 * 2 * 8);
  }
  CHECK(rounds[1].proposal.walkers == 20);
  CHECK(rounds[1].proposal.acceptance > 0.2);
  CHECK(logged(*rig.base, "round 2/3: proposal MCMC (20 walkers"));
  CHECK(logged(*rig.base, "round 3/3: trained on 600 pairs"));
  CHECK(rig.ctx->cache().find("estimator"));
}

TEST_CASE("SNLE proposals concentrate on the posterior in later rounds", "[sbi][snle]") {
  TempDir cache("snle");
  SnleRig rig(cache.path(), snle_options(3, 400));
  rig.snle->prepare(*rig.ctx);
  const auto& rounds = rig.snle->round_summaries();
  REQUIRE(rounds.size() == 3);
  // Round 1 is the prior N(0, 1); the posterior of θ_i is N(x_i / 1.01, 0.01 / 1.01).
  const Eigen::Vector2d post_mean(0.3 / 1.01, -0.2 / 1.01);
  const double post_sd = std::sqrt(0.01 / 1.01);
  // Measured over 12 component names (streams): round 1's sds 0.886-1.063 (400
  // prior draws: sd of an sd ≈ 0.035); rounds 2-3 largest |mean error| 0.002-0.031
  // and |sd error| 0.002-0.019 against the posterior's sd 0.0995, acceptance
  // 0.69-0.74. Bounds: 4σ for round 1, about 1.6× the largest measured errors.
  CHECK(rounds[0].theta_sd.minCoeff() > 0.85);
  for (std::size_t r = 1; r < 3; ++r) {
    INFO("round " << r + 1 << ": mean " << rounds[r].theta_mean.transpose() << ", sd " << rounds[r].theta_sd.transpose());
    CHECK((rounds[r].theta_mean - post_mean).cwiseAbs().maxCoeff() < 0.05);
    CHECK((rounds[r].theta_sd.array() - post_sd).abs().maxCoeff() < 0.03);
    CHECK(rounds[r].theta_sd.maxCoeff() < 0.2 * rounds[0].theta_sd.minCoeff());
  }
}

TEST_CASE("SNLE is bit-identical on 1 and 3 threads", "[sbi][snle]") {
  TempDir c1("snle"), c3("snle");
  SnleRig one(c1.path(), snle_options(3, 200), 1);
  SnleRig three(c3.path(), snle_options(3, 200), 3);
  one.snle->prepare(*one.ctx);
  three.snle->prepare(*three.ctx);
  for (std::size_t r = 1; r <= 3; ++r) {
    const auto a = one.ctx->cache().find(SequentialNeuralLikelihood::round_artifact(r));
    const auto b = three.ctx->cache().find(SequentialNeuralLikelihood::round_artifact(r));
    REQUIRE(a);
    REQUIRE(b);
    CHECK(file_bytes(*a / "theta.npy") == file_bytes(*b / "theta.npy"));
    CHECK(file_bytes(*a / "x.npy") == file_bytes(*b / "x.npy"));
  }
  const Eigen::Vector3d theta(0.25, -0.15, 0.7);
  CHECK(one.snle->log_likelihood(theta) == three.snle->log_likelihood(theta));
}

TEST_CASE("SNLE with one round is NLE with the same budget bit for bit", "[sbi][snle]") {
  TempDir c1("snle"), c2("snle");
  // Same component name and seed: the same streams "simulations" and "estimator".
  SnleRig snle(c1.path(), snle_options(1, 400), 1, kObservation, nullptr, "like");
  TestContext nle_base({{"simulator", Value("@sim")}, {"estimator", Value("@q")}, {"simulations", std::int64_t{400}}},
                       theta_space(2, 0.7), 20240601, "like");
  ShiftSimulator sim(3, 0.1);
  IidPriorTarget prior(theta_space(2), 1.0);
  LinearGaussianEstimator q;
  nle_base.add_reference("simulator", sim);
  nle_base.add_reference("prior", prior);
  nle_base.add_reference("estimator", q);
  nle_base.apply_schema(NeuralLikelihood::options());
  CachedContext nle_ctx(nle_base, c2.path(), "nle-key", kObservation);
  NeuralLikelihood nle(nle_ctx);
  snle.snle->prepare(*snle.ctx);
  nle.prepare(nle_ctx);
  CHECK(snle.q.fits == 1);
  CHECK(snle.snle->round_summaries().size() == 1);
  for (const Eigen::Vector3d& theta : {Eigen::Vector3d(0.2, -0.1, 0.7), Eigen::Vector3d(-1.5, 0.4, 0.7)}) {
    CHECK(snle.snle->log_likelihood(theta) == nle.log_likelihood(theta));
    Eigen::VectorXd g1(3), g2(3);
    CHECK(snle.snle->log_likelihood_gradient(theta, g1) == nle.log_likelihood_gradient(theta, g2));
    CHECK(g1 == g2);
  }
}

TEST_CASE("SNLE reuses its estimator and resumes from cached rounds", "[sbi][snle]") {
  TempDir cache("snle");
  SnleRig first(cache.path(), snle_options(3, 200));
  first.snle->prepare(*first.ctx);
  const Eigen::Vector3d theta(0.2, -0.3, 0.7);
  const double value = first.snle->log_likelihood(theta);

  SnleRig again(cache.path(), snle_options(3, 200));
  again.snle->prepare(*again.ctx);
  CHECK(again.q.fits == 0);
  CHECK(again.q.loads == 1);
  CHECK(again.snle->training().reused_estimator);
  CHECK(again.snle->training().requested == 600);
  CHECK(again.snle->log_likelihood(theta) == value);

  // Without the final estimator (a run stopped in the last training), the three cached rounds are read
  // back and one fit on all of them gives the same likelihood.
  std::filesystem::remove_all(*first.ctx->cache().find("estimator"));
  SnleRig resumed(cache.path(), snle_options(3, 200));
  resumed.snle->prepare(*resumed.ctx);
  CHECK(resumed.q.fits == 1);
  CHECK(resumed.snle->round_summaries().size() == 3);
  for (const RoundSummary& r : resumed.snle->round_summaries()) {
    CHECK(r.reused_simulations);
    CHECK_FALSE(r.proposal_run);
  }
  CHECK(resumed.snle->log_likelihood(theta) == value);

  // Without round 3 either: round 2 is read back, the estimator is fitted on rounds 1-2 for round 3's proposal,
  // which redraws the same θ.
  std::filesystem::remove_all(*first.ctx->cache().find("estimator"));
  const auto round3 = *first.ctx->cache().find(SequentialNeuralLikelihood::round_artifact(3));
  const std::string theta3 = file_bytes(round3 / "theta.npy");
  std::filesystem::remove_all(round3);
  SnleRig partial(cache.path(), snle_options(3, 200));
  partial.snle->prepare(*partial.ctx);
  CHECK(partial.q.fits == 2);
  CHECK(partial.snle->round_summaries()[2].proposal_run);
  CHECK(file_bytes(*partial.ctx->cache().find(SequentialNeuralLikelihood::round_artifact(3)) / "theta.npy") == theta3);
  CHECK(partial.snle->log_likelihood(theta) == value);
}

TEST_CASE("SNLE counts failed simulations per round", "[sbi][snle]") {
  TempDir cache("snle");
  // Throws for θ0 > 0.3: about 38 % of the prior's draws, about half of the posterior's (mean 0.297).
  SnleRig rig(cache.path(), {{"rounds", std::int64_t{3}}, {"simulations", std::int64_t{200}},
                             {"proposal_walkers", std::int64_t{20}}, {"proposal_warmup", std::int64_t{60}},
                             {"proposal_thin", std::int64_t{3}}, {"proposal_candidates", std::int64_t{1000}},
                             {"max_failed_fraction", 0.9}},
              1, kObservation, std::make_unique<FlakySimulator>(3, 0.1, 0.3, -10.0));
  rig.snle->prepare(*rig.ctx);
  const auto& rounds = rig.snle->round_summaries();
  std::size_t failed = 0;
  for (const RoundSummary& r : rounds) {
    CHECK(r.failed > 20);
    failed += r.failed;
  }
  CHECK(rounds[1].failed > rounds[0].failed);  // the proposal sits on the failure boundary
  CHECK(rig.snle->training().failed == failed);
  CHECK(rig.snle->training().pairs == 600 - failed);
  CHECK(rig.q.pairs == static_cast<Eigen::Index>(600 - failed));
  CHECK(logged(*rig.base, "simulations failed (NaN, infinity or an exception) and are excluded"));
}

TEST_CASE("SNLE refuses bad input", "[sbi][snle]") {
  TempDir cache("snle");
  const std::string zero = orrery::test::config_error_message([&] { SnleRig rig(cache.path(), snle_options(0, 200)); });
  CHECK_THAT(zero, Catch::Contains("'rounds'"));
  ValueTable few = snle_options(2, 200);
  for (auto& [key, value] : few)
    if (key == "proposal_candidates") value = Value(std::int64_t{10});
  const std::string candidates = orrery::test::config_error_message([&] { SnleRig rig(cache.path(), few); });
  CHECK_THAT(candidates, Catch::Contains("proposal_candidates") && Catch::Contains("at least proposal_walkers = 20"));
  const std::string shape = orrery::test::config_error_message(
      [&] { SnleRig rig(cache.path(), snle_options(2, 200), 1, observation({4}, {1, 2, 3, 4})); });
  CHECK_THAT(shape, Catch::Contains("shape [4]") && Catch::Contains("shape [3]"));
  // 30 per round, about half fail in round 1 (θ0 > 0 throws): fewer than 20 pairs to train on.
  ValueTable flaky = snle_options(2, 30);
  flaky.emplace_back("max_failed_fraction", 0.9);
  SnleRig rig(cache.path(), flaky, 1, kObservation, std::make_unique<FlakySimulator>(3, 0.1, 0.0, -10.0));
  CHECK_THROWS_WITH(rig.snle->log_likelihood(Eigen::Vector3d(0, 0, 0.7)), Catch::Contains("before prepare()"));
  CHECK_THROWS_WITH(rig.snle->prepare(*rig.ctx),
                    Catch::Contains("too few simulations to train") && Catch::Contains("at least 20"));
  CHECK(rig.q.fits == 0);
}
