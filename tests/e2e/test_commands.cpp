// End to end: validate, plugins, describe, graph and --help.
#include <catch2/catch.hpp>

#include "cli_harness.hpp"

using orrery::test::kSourceDir;
using orrery::test::Workspace;

namespace {
const std::string kQuickstart = "'" + (kSourceDir / "configs/quickstart.toml").string() + "'";
}

TEST_CASE("validate resolves and checks everything but runs nothing", "[e2e][cli]") {
  Workspace ws;
  const auto r = ws.orrery("validate " + kQuickstart);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("configuration is valid") && Catch::Contains("parameters.x") &&
                        Catch::Contains("posterior") && Catch::Contains("sampler  [sampler, samplers.nuts]"));
  CHECK_FALSE(ws.exists("runs"));

  const auto bad = ws.orrery("validate " + kQuickstart + " --set components.like.cov=[[1,2],[2,1]]");
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("option 'cov'"));
}

TEST_CASE("plugins lists every component with kind, version and description", "[e2e][cli]") {
  Workspace ws;
  const auto r = ws.orrery("plugins", orrery::test::kFixturePlugins + ":" + orrery::test::kBadAbiPlugins);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("core 0.1.0") && Catch::Contains("samplers.metropolis") && Catch::Contains("sampler") &&
                        Catch::Contains("core.uniform") && Catch::Contains("testing.echo_task"));
  CHECK_THAT(r.out, Catch::Contains("unusable:") && Catch::Contains("orrery-badabi.so") && Catch::Contains("ABI 999"));
}

TEST_CASE("describe documents a component's option schema", "[e2e][cli]") {
  Workspace ws;
  const auto r = ws.orrery("describe samplers.metropolis");
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("samplers.metropolis  (sampler") && Catch::Contains("steps  (integer)") &&
                        Catch::Contains("target  (reference to a target)") && Catch::Contains("default \"@posterior\""));
  const auto bad = ws.orrery("describe samplers.metropolsi");
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("did you mean 'samplers.metropolis'"));
}

TEST_CASE("graph prints the plan or Graphviz", "[e2e][cli]") {
  Workspace ws;
  const auto dot = ws.orrery("graph " + kQuickstart + " --dot");
  REQUIRE(dot.exit_code == 0);
  CHECK_THAT(dot.out, Catch::StartsWith("digraph") && Catch::Contains("\"posterior\" -> \"sampler\" [label=\"target\"]") &&
                          Catch::Contains("\"like\" -> \"posterior\""));
  const auto plan = ws.orrery("graph " + kQuickstart);
  REQUIRE(plan.exit_code == 0);
  CHECK_THAT(plan.out, Catch::Contains("(runs)"));
}

TEST_CASE("every subcommand has --help", "[e2e][cli]") {
  Workspace ws;
  for (const char* sub : {"run", "validate", "plugins", "describe", "graph"}) {
    const auto r = ws.orrery(std::string(sub) + " --help");
    INFO(sub);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Usage"));
  }
  CHECK(ws.orrery("frobnicate").exit_code != 0);
}
