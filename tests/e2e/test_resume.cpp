// End to end: checkpoints and `orrery run --resume`. A run killed after its
// first checkpoints (the kernel's test-only fault injection exits like a
// killed process) and then resumed must produce the same chain, byte for
// byte, as a run that was never interrupted; the kernel must refuse to resume
// a changed configuration and to start over an interrupted run by accident.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "cli_harness.hpp"

using orrery::test::Workspace;

namespace {

const std::string kAnalysis = R"([analysis]
name = "resumable"
seed = 11
[parameters]
x = { prior = "uniform", min = -5.0, max = 5.0 }
y = { prior = "lognormal", mu = 0.0, sigma = 0.5 }
[components.like]
plugin = "core.gaussian_likelihood"
parameters = ["x", "y"]
mean = [1.0, 1.2]
cov = [[1.0, 0.3], [0.3, 0.5]]
[components.sampler]
plugin = "samplers.nuts"
warmup = 300
steps = 700
check_every = 50
)";

/// Sets an environment variable for the lifetime of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

/// Runs the analysis with `plugin` to completion in one go, then again killed
/// after `crash_after` checkpoints and resumed; returns both chain files.
std::pair<std::string, std::string> uninterrupted_and_resumed(Workspace& ws, const std::string& plugin,
                                                              int crash_after) {
  ws.write("analysis.toml", kAnalysis);
  const std::string set = " --set components.sampler.plugin=" + plugin;
  auto r = ws.orrery("run analysis.toml -q --set analysis.name=straight" + set);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  {
    const ScopedEnv crash("ORRERY_TEST_CRASH_AFTER_CHECKPOINTS", std::to_string(crash_after));
    r = ws.orrery("run analysis.toml -q --checkpoint-every 0" + set);
  }
  REQUIRE(r.exit_code == 75);  // the fault injection's exit status
  REQUIRE(ws.exists("runs/.resumable.checkpoint/sampler.state"));
  REQUIRE_FALSE(ws.exists("runs/resumable"));
  r = ws.orrery("run analysis.toml -q --resume" + set);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(ws.exists("runs/.resumable.checkpoint"));  // removed once published
  for (const std::string& entry : ws.list("runs")) CHECK(entry.find(".staging-") == std::string::npos);
  return {ws.read("runs/straight/chain.txt"), ws.read("runs/resumable/chain.txt")};
}

}  // namespace

TEST_CASE("a resumed NUTS run is bit-identical to an uninterrupted one", "[e2e][resume]") {
  Workspace ws;
  // 3 checkpoints: interrupted during warm-up (state of the step size and
  // metric adaptation); 9: interrupted while sampling.
  for (const int crash_after : {3, 9}) {
    const auto [straight, resumed] = uninterrupted_and_resumed(ws, "samplers.nuts", crash_after);
    CHECK(!straight.empty());
    CHECK(straight == resumed);
    std::filesystem::remove_all(ws / "runs");
  }
  // The per-draw NUTS diagnostics are resumed too.
  const auto [straight, resumed] = uninterrupted_and_resumed(ws, "samplers.nuts", 5);
  CHECK(straight == resumed);
  CHECK(ws.read("runs/straight/chain.per_draw.txt") == ws.read("runs/resumable/chain.per_draw.txt"));
}

TEST_CASE("resume is bit-identical for the ensemble, HMC, MALA and Metropolis samplers", "[e2e][resume]") {
  for (const std::string plugin : {"samplers.ensemble", "samplers.hmc", "samplers.mala", "samplers.metropolis"}) {
    INFO(plugin);
    Workspace ws;
    const auto [straight, resumed] = uninterrupted_and_resumed(ws, plugin, 4);
    CHECK(!straight.empty());
    CHECK(straight == resumed);
  }
}

TEST_CASE("resume refuses a changed config and a fresh run refuses to discard a checkpoint", "[e2e][resume]") {
  Workspace ws;
  ws.write("analysis.toml", kAnalysis);
  {
    const ScopedEnv crash("ORRERY_TEST_CRASH_AFTER_CHECKPOINTS", "2");
    REQUIRE(ws.orrery("run analysis.toml -q --checkpoint-every 0").exit_code == 75);
  }
  const std::string saved = ws.read("runs/.resumable.checkpoint/sampler.state");

  auto r = ws.orrery("run analysis.toml -q");
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("interrupted run left a checkpoint") && Catch::Contains("--resume"));

  r = ws.orrery("run analysis.toml -q --resume --set components.sampler.steps=800");
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("configuration changed") && Catch::Contains("steps = 700") &&
                        Catch::Contains("steps = 800"));
  CHECK(ws.read("runs/.resumable.checkpoint/sampler.state") == saved);  // nothing was lost

  r = ws.orrery("run analysis.toml -q --force");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(ws.exists("runs/resumable/chain.txt"));
  CHECK_FALSE(ws.exists("runs/.resumable.checkpoint"));

  r = ws.orrery("run analysis.toml -q --resume --force --set analysis.name=other");
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("nothing to resume"));
}
