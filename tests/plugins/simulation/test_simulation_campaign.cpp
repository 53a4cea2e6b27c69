// Simulation campaigns: bit-identical sets on 1 and 3 threads; failures
// (exceptions and NaN outputs) counted, excluded, described and stored;
// too many failures and all failures are errors; the cached set is written as
// .npy files and reused by a second run.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "simulation/npy_file.hpp"
#include "simulation/parameter_map.hpp"
#include "simulation/simulation_campaign.hpp"
#include "simulation/simulation_store.hpp"
#include "simulation_test_support.hpp"

using namespace orrery;
using namespace orrery::simulation;
using namespace orrery::simulation::test;

namespace {

struct Rig {
  ParameterSpace full = theta_space(2);
  IidPriorTarget prior{theta_space(2), 1.0};
  ParameterMap map{prior.space(), full};
};

CampaignResult simulate(const Simulator& sim, const Rig& rig, std::size_t n, std::size_t threads) {
  TestContext ctx({}, rig.full);
  ctx.set_threads(threads);
  const RandomStream base = ctx.rng().split("simulations");
  return simulate_campaign(sim, rig.prior, rig.map, n, base, ctx.executor(), nullptr);
}

}  // namespace

TEST_CASE("a campaign is bit-identical on 1 and 3 threads", "[simulation][campaign]") {
  const Rig rig;
  const FlakySimulator sim(2, 0.1, 1.0, -1.0);
  const CampaignResult one = simulate(sim, rig, 700, 1);
  const CampaignResult three = simulate(sim, rig, 700, 3);
  REQUIRE(one.succeeded() > 400);
  CHECK(one.theta == three.theta);
  CHECK(one.x == three.x);
  CHECK(one.failed_theta == three.failed_theta);
  CHECK(one.failed_index == three.failed_index);
  CHECK(one.failed_message == three.failed_message);
  // The θ are the prior's: item i draws from base.split(i).split(0).
  TestContext ctx({}, rig.full);
  RandomStream item = ctx.rng().split("simulations").split(0).split(0);
  Eigen::VectorXd first(2);
  rig.prior.initial_point(item, first);
  const Eigen::VectorXd stored = one.failed_index.front() == 0 ? one.failed_theta.col(0) : one.theta.col(0);
  CHECK(stored == first);
}

TEST_CASE("failed simulations are counted and excluded and described", "[simulation][campaign]") {
  const Rig rig;
  const FlakySimulator sim(2, 0.1, 1.0, -1.0);  // throws for θ0 > 1, NaN for θ0 < -1: about 32 % fail
  const std::size_t n = 600;
  const CampaignResult r = simulate(sim, rig, n, 2);
  CHECK(r.requested == n);
  CHECK(r.succeeded() + r.failed() == n);
  std::size_t thrown = 0, nan = 0;
  for (std::size_t j = 0; j < r.failed(); ++j) {
    const double t0 = r.failed_theta(0, static_cast<Eigen::Index>(j));
    if (t0 > 1.0) {
      ++thrown;
      CHECK(r.failed_message[j] == "solver diverged (test)");
    } else {
      ++nan;
      CHECK(t0 < -1.0);
      CHECK_THAT(r.failed_message[j], Catch::StartsWith("non-finite output (NaN at element 1"));
    }
  }
  CHECK(thrown > 50);
  CHECK(nan > 50);
  CHECK((r.theta.row(0).array().abs() <= 1.0).all());
  CHECK(r.x.allFinite());
  // Independent count from the item streams.
  TestContext ctx({}, rig.full);
  const RandomStream base = ctx.rng().split("simulations");
  std::size_t expected = 0;
  for (std::size_t i = 0; i < n; ++i) {
    RandomStream s = base.split(i).split(0);
    Eigen::VectorXd t(2);
    rig.prior.initial_point(s, t);
    expected += std::abs(t[0]) > 1.0;
  }
  CHECK(r.failed() == expected);
  CHECK_THAT(describe_failure(r, 0), Catch::StartsWith("simulation " + std::to_string(r.failed_index[0]) + " at θ = ("));

  orrery::test::CollectingLogger log;
  check_failures(r, 0.5, log);
  const auto messages = log.messages();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].first == LogLevel::Warning);
  CHECK_THAT(messages[0].second, Catch::Contains(std::to_string(r.failed()) + " of 600 simulations failed") &&
                                     Catch::Contains("excluded"));
}

TEST_CASE("too many failed simulations stop the campaign", "[simulation][campaign]") {
  const Rig rig;
  orrery::test::CollectingLogger log;
  const FlakySimulator mostly(2, 0.1, -0.5, -10.0);  // about 69 % throw
  const CampaignResult r = simulate(mostly, rig, 200, 1);
  CHECK_THROWS_WITH(check_failures(r, 0.5, log),
                    Catch::Contains("of 200 simulations failed") && Catch::Contains("max_failed_fraction = 0.5") &&
                        Catch::Contains("solver diverged"));
  CHECK_NOTHROW(check_failures(r, 0.9, log));
  const FlakySimulator always(2, 0.1, -1e300, -10.0);
  CHECK_THROWS_WITH(check_failures(simulate(always, rig, 50, 1), 1.0, log),
                    Catch::Contains("all 50 simulations failed") && Catch::Contains("at θ = ("));
}

TEST_CASE("a campaign is stored as npy files and reused from the cache", "[simulation][campaign]") {
  const Rig rig;
  const FlakySimulator sim(2, 0.1, 1.5, -1.5);
  TempDir cache("campaign");
  CampaignSettings settings;
  settings.simulations = 300;

  TestContext base({}, rig.full);
  CachedContext ctx(base, cache.path());
  const SimulationSet first = run_campaign(sim, rig.prior, rig.map, settings, ctx);
  CHECK_FALSE(first.reused);
  CHECK(base.progress_done() == 300);
  const auto dir = first.directory;
  for (const char* f : {"theta.npy", "x.npy", "failed_theta.npy", "failures.txt", "campaign.txt"})
    CHECK(std::filesystem::exists(dir / f));
  const Array theta = read_npy(dir / "theta.npy");
  CHECK(theta.shape == Shape{static_cast<std::size_t>(first.theta.cols()), 2});
  CHECK(read_npy_columns(dir / "x.npy", 2, "x") == first.x);
  const CampaignCounts counts = read_campaign_counts(dir);
  CHECK(counts.requested == 300);
  CHECK(counts.failed == first.failed);
  CHECK(counts.failed > 0);
  CHECK(read_npy(dir / "failed_theta.npy").shape == Shape{first.failed, 2});
  std::ifstream failures(dir / "failures.txt");
  std::size_t lines = 0;
  for (std::string line; std::getline(failures, line);) lines += !line.empty() && line[0] != '#';
  CHECK(lines == first.failed);

  TestContext base2({}, rig.full);
  CachedContext ctx2(base2, cache.path());
  const SimulationSet again = run_campaign(sim, rig.prior, rig.map, settings, ctx2);
  CHECK(again.reused);
  CHECK(base2.progress_done() == 0);
  CHECK(again.theta == first.theta);
  CHECK(again.x == first.x);
  CHECK(again.failed == first.failed);
}
