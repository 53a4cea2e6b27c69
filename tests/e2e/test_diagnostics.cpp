// End to end: diagnostics.c2st reads the draws of the sampler it references
// (which runs first although it is referenced) and compares them with a
// reference file: ≈0.5 against draws of the same posterior, ≈1 against a
// shifted one.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <string>

#include "cli_harness.hpp"

using orrery::test::kFixturePlugins;
using orrery::test::Workspace;

namespace {

// 2000 draws of N(mean, 0.5²) as a one-column CSV with a header.
std::string normal_draws_csv(double mean, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  auto uniform = [&] { return (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53; };
  std::string text = "parameter_1\n";
  char line[64];
  for (int i = 0; i < 2000; ++i) {
    // Box–Muller: the same draws on every platform (std::normal_distribution is implementation-defined).
    const double z = std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * std::numbers::pi * uniform());
    std::snprintf(line, sizeof line, "%.17g\n", mean + 0.5 * z);
    text += line;
  }
  return text;
}

// The posterior of x is N(1, 0.5²) (a wide uniform prior times a Gaussian likelihood).
const char* kConfig = R"([analysis]
name = "c2st"
seed = 4
[parameters]
x = { prior = "uniform", min = -10.0, max = 10.0 }
[components.like]
plugin = "core.gaussian_likelihood"
mean = [1.0]
cov = [[0.25]]
[components.sampler]
plugin = "samplers.metropolis"
chains = 4
steps = 6000
[components.check]
plugin = "diagnostics.c2st"
samples = "@sampler"
reference = "reference.csv"
max_samples = 2000
)";

double c2st_of(Workspace& ws) {
  const auto r = ws.orrery("run analysis.toml -q --force", kFixturePlugins);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto summary = ws.json("runs/c2st/summary.json");
  CHECK(summary["samplers"].contains("sampler"));  // referenced, yet it ran
  CHECK(ws.read("runs/c2st/c2st_check.txt").starts_with("# fold accuracy epochs"));
  return std::stod(summary["tasks"]["check"]["report"]["c2st"].get<std::string>());
}

}  // namespace

TEST_CASE("c2st of a sampler against draws of its own posterior is near one half", "[e2e][diagnostics]") {
  Workspace ws;
  ws.write("analysis.toml", kConfig);
  ws.write("reference.csv", normal_draws_csv(1.0, 17));
  const double same = c2st_of(ws);
  // 2×2000 points: the sd of a null accuracy is ≈ sqrt(0.25/4000) = 0.008; the
  // Metropolis draws are thinned but still mildly correlated, hence the slack.
  CHECK(same > 0.44);
  CHECK(same < 0.56);

  ws.write("reference.csv", normal_draws_csv(3.0, 17));  // four posterior sd away
  CHECK(c2st_of(ws) > 0.95);
}

TEST_CASE("c2st refuses a reference with the wrong number of columns", "[e2e][diagnostics]") {
  Workspace ws;
  ws.write("analysis.toml", kConfig);
  ws.write("reference.csv", "a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n");
  const auto r = ws.orrery("validate analysis.toml", kFixturePlugins);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("reference") && Catch::Contains("2 columns but the sampler's target has 1"));
}
