// End to end: rejection counting, the artifact cache, tasks and reference wiring.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>

#include "cli_harness.hpp"

using orrery::test::kFixturePlugins;
using orrery::test::Workspace;

TEST_CASE("NaN and -inf likelihoods are counted rejections, not crashes", "[e2e][rejections]") {
  Workspace ws;
  ws.write("analysis.toml", R"([analysis]
name = "undefined"
seed = 3
[parameters]
x = { prior = "uniform", min = -5.0, max = 5.0 }
[components.like]
plugin = "testing.partly_undefined_likelihood"
[components.sampler]
plugin = "samplers.metropolis"
steps = 1000
)");
  const auto r = ws.orrery("run analysis.toml -q", kFixturePlugins);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto s = ws.json("runs/undefined/summary.json")["samplers"]["sampler"];
  CHECK(s["likelihood_nonfinite"].get<int>() > 0);
  CHECK(s["nonfinite_rejections"].get<int>() >= s["likelihood_nonfinite"].get<int>() / 2);
  CHECK(s["parameters"][0]["q84"].get<double>() < 0.5);
  CHECK_THAT(ws.read("runs/undefined/summary.txt"), Catch::Contains("likelihood evaluations that returned NaN or an infinity"));
}

TEST_CASE("the artifact cache reuses unchanged products and recomputes changed ones", "[e2e][cache]") {
  Workspace ws;
  ws.write("analysis.toml", R"([analysis]
name = "cached"
[components.job]
plugin = "testing.cached_task"
value = 1.5
)");
  auto reused = [&](const std::string& extra) {
    const auto r = ws.orrery("run analysis.toml -q --force " + extra, kFixturePlugins);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return ws.json("runs/cached/summary.json")["tasks"]["job"]["report"]["reused"].get<std::string>();
  };
  CHECK(reused("") == "no");
  CHECK(reused("") == "yes");
  CHECK(reused("--set components.job.value=2.5") == "no");
  CHECK(reused("--set components.job.value=2.5") == "yes");
  CHECK(reused("--no-cache") == "no");
  CHECK(reused("--set analysis.seed=5") == "no");  // the seed is upstream of everything
  CHECK(ws.read("runs/cached/cached_task.txt") == "1.5\n");
  // Staging folders never linger in the cache.
  for (const auto& key : ws.list("runs/.cache"))
    for (const auto& entry : ws.list("runs/.cache/" + key)) CHECK(entry == "product");
}

TEST_CASE("tasks run in dependency order and only terminal runnables run by default", "[e2e][graph]") {
  Workspace ws;
  ws.write("analysis.toml", R"([analysis]
name = "tasks"
[components.first]
plugin = "testing.echo_task"
message = "one"
[components.second]
plugin = "testing.echo_task"
message = "two"
after = "@first"
[components.inline]
plugin = "testing.echo_task"
message = "three"
after = { plugin = "testing.echo_task", message = "nested" }
)");
  const auto r = ws.orrery("run analysis.toml -q", kFixturePlugins);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto tasks = ws.json("runs/tasks/summary.json")["tasks"];
  CHECK(tasks.contains("second"));
  CHECK(tasks.contains("inline"));
  CHECK_FALSE(tasks.contains("first"));  // referenced by 'second': not terminal
  const auto components = ws.json("runs/tasks/manifest.json")["components"];
  std::vector<std::string> order;
  for (const auto& c : components) order.push_back(c["name"]);
  CHECK(std::find(order.begin(), order.end(), "inline.after") < std::find(order.begin(), order.end(), "inline"));
  CHECK(std::find(order.begin(), order.end(), "first") < std::find(order.begin(), order.end(), "second"));

  const auto only = ws.orrery("run analysis.toml -q --force --only first", kFixturePlugins);
  REQUIRE(only.exit_code == 0);
  CHECK(ws.json("runs/tasks/summary.json")["tasks"].size() == 1);
}

TEST_CASE("a shaped field block and named scalars share one parameter space", "[e2e][parameters]") {
  Workspace ws;
  ws.write("analysis.toml", R"([analysis]
name = "field"
seed = 11
[parameters]
x = { prior = "uniform", min = -5.0, max = 5.0, latex = "x" }
h = 0.7
[parameters.kappa]
shape = [2, 3]
prior = "normal"
sd = 2.0
[components.like]
plugin = "core.gaussian_likelihood"
parameters = ["x"]
mean = [0.5]
cov = [[0.25]]
[components.sampler]
plugin = "samplers.metropolis"
steps = 4000
)");
  const auto r = ws.orrery("run analysis.toml -q");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto params = ws.json("runs/field/summary.json")["samplers"]["sampler"]["parameters"];
  REQUIRE(params.size() == 7);  // x and six field elements; the fixed h is not sampled
  CHECK(params[0]["name"] == "x");
  CHECK(params[1]["name"] == "kappa[0,0]");
  CHECK(params[6]["name"] == "kappa[1,2]");
  for (std::size_t k = 1; k < 7; ++k) {
    const double ess = params[k]["ess_bulk"].get<double>();
    REQUIRE(ess > 200);
    CHECK(std::abs(params[k]["mean"].get<double>()) < 4 * params[k]["mcse_mean"].get<double>());
    CHECK(std::abs(params[k]["sd"].get<double>() - 2.0) < 4 * 2.0 / std::sqrt(2 * ess));
  }
  CHECK(std::abs(params[0]["mean"].get<double>() - 0.5) < 4 * params[0]["mcse_mean"].get<double>());
  CHECK_THAT(ws.read("runs/field/summary.txt"), Catch::Contains("kappa[2, 3]") && Catch::Contains("field: max R-hat"));
  CHECK_THAT(ws.read("runs/field/chain.paramnames"), Catch::Contains("kappa[1,2]"));
}

TEST_CASE("[plugins] paths are searched relative to the config file", "[e2e][plugins]") {
  Workspace ws;
  std::filesystem::create_directories(ws / "analyses");
  std::filesystem::create_symlink(orrery::test::kFixturePlugins, ws / "analyses/my-plugins");
  ws.write("analyses/analysis.toml", R"([analysis]
name = "local"
[plugins]
paths = ["my-plugins"]
[components.job]
plugin = "testing.echo_task"
message = "found"
)");
  const auto r = ws.orrery("run analyses/analysis.toml -q");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(ws.json("runs/local/summary.json")["tasks"]["job"]["report"]["message"] == "found");
}

TEST_CASE("the built-in prior target samples the priors without the likelihoods", "[e2e][prior]") {
  Workspace ws;
  ws.write("analysis.toml", R"([analysis]
name = "prior_only"
seed = 8
[parameters]
x = { prior = "uniform", min = 2.0, max = 4.0 }
y = { prior = "normal", mean = -1.0, sd = 0.5 }
[components.like]
plugin = "core.gaussian_likelihood"
mean = [10.0, 10.0]
cov = [[0.01, 0.0], [0.0, 0.01]]
[components.sampler]
plugin = "samplers.metropolis"
target = "@prior"
steps = 4000
)");
  const auto r = ws.orrery("run analysis.toml -q", kFixturePlugins);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto p = ws.json("runs/prior_only/summary.json")["samplers"]["sampler"]["parameters"];
  // The likelihood would pull both towards 10; the prior alone keeps x in [2, 4] around 3 and y near −1.
  CHECK(std::abs(p[0]["mean"].get<double>() - 3.0) < 0.15);
  CHECK(std::abs(p[1]["mean"].get<double>() + 1.0) < 0.15);
}

TEST_CASE("prior is a reserved component name", "[e2e][prior]") {
  Workspace ws;
  ws.write("analysis.toml", R"([analysis]
name = "reserved"
[components.prior]
plugin = "samplers.metropolis"
)");
  const auto r = ws.orrery("run analysis.toml -q", kFixturePlugins);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("'prior' are built in"));
}

TEST_CASE("an observation simulated at the truth values is reproducible and kept with the run", "[e2e][observation]") {
  Workspace ws;
  const std::string config = R"([analysis]
name = "simulated"
seed = 12
[parameters]
t1 = { prior = "uniform", min = -1.0, max = 1.0, truth = 0.3 }
t2 = { prior = "uniform", min = -1.0, max = 1.0, truth = -0.2 }
[components.sim]
plugin = "sbibm.two_moons"
[observation]
simulate_at = "truth"
simulator = "@sim"
[components.sampler]
plugin = "samplers.metropolis"
target = "@prior"
steps = 200
)";
  ws.write("analysis.toml", config);
  auto run = [&] {
    const auto r = ws.orrery("run analysis.toml -q --force", kFixturePlugins);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return ws.read("runs/simulated/observation.txt");
  };
  const std::string first = run();
  CHECK(first.starts_with("# observation simulated by [observation] (shape 2)"));
  CHECK(run() == first);  // same seed, same observation
  // two_moons at θ = (0.3, −0.2): x = p + (−|θ1+θ2|/√2, (θ2−θ1)/√2) with |p − (0.25, 0)| ≈ 0.1.
  std::istringstream lines(first.substr(first.find('\n') + 1));
  double x1 = 0, x2 = 0;
  lines >> x1 >> x2;
  const double p1 = x1 + 0.1 / std::sqrt(2.0) - 0.25, p2 = x2 + 0.5 / std::sqrt(2.0);
  CHECK(std::abs(std::hypot(p1, p2) - 0.1) < 0.05);

  std::string without_truth = config;
  without_truth.erase(without_truth.find(", truth = 0.3"), std::string(", truth = 0.3").size());
  ws.write("analysis.toml", without_truth);
  const auto missing = ws.orrery("run analysis.toml -q --force", kFixturePlugins);
  CHECK(missing.exit_code != 0);
  CHECK_THAT(missing.err, Catch::Contains("parameter 't1' has no truth value"));
}

TEST_CASE("the observation simulator must be a simulator of the analysis", "[e2e][observation]") {
  Workspace ws;
  ws.write("analysis.toml", R"([analysis]
name = "badsim"
[parameters]
x = { prior = "uniform", min = -1.0, max = 1.0, truth = 0.0 }
[observation]
simulate_at = "truth"
simulator = "@sampler"
[components.sampler]
plugin = "samplers.metropolis"
target = "@prior"
)");
  const auto r = ws.orrery("validate analysis.toml", kFixturePlugins);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("'@sampler' is not a simulator of this analysis (it is a sampler)"));
}
