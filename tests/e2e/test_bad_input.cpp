// Every kind of bad input gives a clear message, a non-zero exit, and leaves
// no output behind.
#include <catch2/catch.hpp>

#include "cli_harness.hpp"

using orrery::test::Workspace;

namespace {
const std::string kHeader = R"([analysis]
name = "bad"
seed = 1

[parameters]
x = { prior = "uniform", min = -5.0, max = 5.0 }
y = { prior = "normal", mean = 0.0, sd = 2.0 }
)";

const std::string kLikelihood = R"(
[components.like]
plugin = "core.gaussian_likelihood"
mean = [1.0, -0.5]
cov = [[1.0, 0.8], [0.8, 2.0]]
)";

const std::string kSampler = R"(
[components.sampler]
plugin = "samplers.metropolis"
target = "@posterior"
steps = 100
)";

// A config that runs; most tests below break it in one place.
const std::string kValidConfig = kHeader + kLikelihood + kSampler;

/// kValidConfig with its first `from` replaced by `to` (`from` must occur).
std::string valid_config_with(const std::string& from, const std::string& to) {
  std::string config = kValidConfig;
  config.replace(config.find(from), from.size(), to);
  return config;
}

/// Runs the config and checks the common promises of a refused run.
orrery::test::CliResult refuse(const Workspace& ws, const std::string& config, const std::string& extra = "",
                               const std::string& plugin_path = "") {
  ws.write("analysis.toml", config);
  auto r = ws.orrery("run analysis.toml -q " + extra, plugin_path);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 1);  // a handled error, not a crash
  CHECK_THAT(r.err, Catch::StartsWith("error: "));
  // Nothing written, not even a staging folder (the artifact cache may persist).
  for (const auto& entry : ws.list("runs")) CHECK(entry == ".cache");
  return r;
}
}  // namespace

TEST_CASE("malformed TOML names the file, line and column", "[e2e][errors]") {
  Workspace ws;
  const auto r = refuse(ws, kHeader + "z = [1, 2\n" + kLikelihood + kSampler);
  CHECK_THAT(r.err, Catch::Contains("analysis.toml:10:1: TOML syntax error"));
}

TEST_CASE("an unknown component is reported with suggestions", "[e2e][errors]") {
  Workspace ws;
  const auto r = refuse(ws, valid_config_with("core.gaussian_likelihood", "core.gausian_likelihood"));
  CHECK_THAT(r.err, Catch::Contains("analysis.toml:10:10:") && Catch::Contains("no component 'gausian_likelihood'") &&
                        Catch::Contains("did you mean 'core.gaussian_likelihood'"));
}

TEST_CASE("an unknown plugin library is reported with suggestions", "[e2e][errors]") {
  Workspace ws;
  const auto r = refuse(ws, valid_config_with("samplers.metropolis", "sampler.metropolis"));
  CHECK_THAT(r.err, Catch::Contains("unknown plugin library 'sampler'") && Catch::Contains("did you mean 'samplers.metropolis'"));
}

TEST_CASE("an unknown prior name is reported with suggestions", "[e2e][errors]") {
  Workspace ws;
  const auto r = refuse(ws, valid_config_with("\"uniform\"", "\"unifrom\""));
  CHECK_THAT(r.err, Catch::Contains("analysis.toml:6:") && Catch::Contains("unknown prior 'unifrom'") &&
                        Catch::Contains("did you mean 'uniform'"));
}

TEST_CASE("a reference to the wrong kind of component is refused", "[e2e][errors]") {
  Workspace ws;
  const auto r = refuse(ws, valid_config_with("\"@posterior\"", "\"@like\""));
  CHECK_THAT(r.err, Catch::Contains("analysis.toml:16:10:") && Catch::Contains("component 'sampler', option 'target' expects a target") &&
                        Catch::Contains("'@like' is a likelihood (core.gaussian_likelihood)"));
}

TEST_CASE("a reference to a missing component is refused with suggestions", "[e2e][errors]") {
  Workspace ws;
  const auto r = refuse(ws, valid_config_with("\"@posterior\"", "\"@posterio\""));
  CHECK_THAT(r.err, Catch::Contains("no component named 'posterio'") && Catch::Contains("did you mean 'posterior'"));
}

TEST_CASE("a reference cycle is refused and named", "[e2e][errors]") {
  Workspace ws;
  const auto r = refuse(ws, kHeader + R"(
[components.first]
plugin = "testing.echo_task"
after = "@second"

[components.second]
plugin = "testing.echo_task"
after = "@first"
)", "", orrery::test::kFixturePlugins);
  CHECK_THAT(r.err, Catch::Contains("reference cycle: first -> second -> first"));
}

TEST_CASE("an unknown option is refused with a did-you-mean", "[e2e][errors]") {
  Workspace ws;
  const auto r = refuse(ws, valid_config_with("steps = 100", "stpes = 100"));
  CHECK_THAT(r.err, Catch::Contains("analysis.toml:17:9:") &&
                        Catch::Contains("component 'sampler' (samplers.metropolis): unknown option 'stpes'") &&
                        Catch::Contains("did you mean 'steps'"));
}

TEST_CASE("a mistyped option is refused naming expected and found types", "[e2e][errors]") {
  Workspace ws;
  const auto r = refuse(ws, valid_config_with("steps = 100", "steps = \"many\""));
  CHECK_THAT(r.err, Catch::Contains("analysis.toml:17:9:") && Catch::Contains("option 'steps': expected an integer, found the string \"many\""));
}

TEST_CASE("an out-of-range or missing option is refused", "[e2e][errors]") {
  Workspace ws;
  SECTION("out of range") {
    const auto r = refuse(ws, kValidConfig, "--set components.sampler.chains=0");
    CHECK_THAT(r.err, Catch::Contains("option 'chains'") && Catch::Contains("below the minimum 1"));
  }
  SECTION("missing") {
    const auto r = refuse(ws, valid_config_with("cov = [[1.0, 0.8], [0.8, 2.0]]", ""));  // the cov line left empty
    CHECK_THAT(r.err, Catch::Contains("component 'like' (core.gaussian_likelihood): missing required option 'cov'"));
  }
  SECTION("semantically invalid value checked by the plugin") {
    const auto r = refuse(ws, valid_config_with("[[1.0, 0.8], [0.8, 2.0]]", "[[1.0, 2.0], [2.0, 1.0]]"));
    CHECK_THAT(r.err, Catch::Contains("analysis.toml:12:7:") && Catch::Contains("component 'like', option 'cov'"));
  }
}

TEST_CASE("a plugin built for another ABI number is refused naming both numbers and the file", "[e2e][errors]") {
  Workspace ws;
  const auto r = refuse(ws, kHeader + "\n[components.job]\nplugin = \"badabi.noop\"\n", "", orrery::test::kBadAbiPlugins);
  CHECK_THAT(r.err, Catch::Contains("orrery-badabi.so") && Catch::Contains("ABI 999") && Catch::Contains("uses ABI 3"));
}

TEST_CASE("an exception from a plugin's factory names the component and plugin", "[e2e][errors]") {
  Workspace ws;
  const auto r = refuse(ws, kHeader + "\n[components.like]\nplugin = \"testing.throwing_likelihood\"\n" + kSampler, "",
                        orrery::test::kFixturePlugins);
  CHECK_THAT(r.err, Catch::Contains("component 'like' (testing.throwing_likelihood)") &&
                        Catch::Contains("deliberate failure in the constructor"));
}

TEST_CASE("an unwritable output folder is a clear error", "[e2e][errors]") {
  Workspace ws;
  ws.write("analysis.toml", kValidConfig);
  const auto r = ws.orrery("run analysis.toml -q --set analysis.output=/proc/orrery-unwritable/runs");
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("cannot create output folder"));
}

TEST_CASE("a failure while running removes the staging folder", "[e2e][errors]") {
  Workspace ws;
  const auto r = refuse(ws, kHeader + "\n[components.job]\nplugin = \"testing.cached_task\"\nfail_in_run = true\n", "",
                        orrery::test::kFixturePlugins);
  CHECK_THAT(r.err, Catch::Contains("component 'job' (testing.cached_task) failed while running") &&
                        Catch::Contains("deliberate failure while running"));
}

TEST_CASE("bad sections, parameters and overrides are refused", "[e2e][errors]") {
  Workspace ws;
  SECTION("unknown section") {
    const auto r = refuse(ws, kHeader + "[componets.x]\nplugin = \"samplers.metropolis\"\n");
    CHECK_THAT(r.err, Catch::Contains("unknown section [componets]") && Catch::Contains("did you mean 'components'"));
  }
  SECTION("parameter with both a value and a prior") {
    const auto r = refuse(ws, kHeader + "z = { value = 1.0, prior = \"uniform\", min = 0, max = 2 }\n" + kLikelihood + kSampler);
    CHECK_THAT(r.err, Catch::Contains("parameter 'z' has both a fixed value and a prior"));
  }
  SECTION("malformed override") {
    const auto r = refuse(ws, kValidConfig, "--set components.sampler.steps");
    CHECK_THAT(r.err, Catch::Contains("an override must look like section.key=value"));
  }
  SECTION("free parameter without a prior under @posterior") {
    const auto r = refuse(ws, kHeader + "w = { fiducial = 1.0 }\n" + kLikelihood + kSampler);
    CHECK_THAT(r.err, Catch::Contains("parameter 'w' is free but has no prior"));
  }
}
