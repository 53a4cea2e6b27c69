// End to end: calibration of a neural posterior through the CLI. sbi.npe on
// sbibm's gaussian_linear, checked by diagnostics.sbc, .coverage and .tarp
// (each drawing fresh (θ, x) pairs and conditioning the trained q(θ | x) on
// each x): a well-trained NPE must show uniform SBC ranks, nominal coverage
// and a TARP curve on the diagonal. The observation is simulated at the truth
// values ([observation] simulate_at), which also exercises that path.
#include <catch2/catch.hpp>

#include <string>

#include "cli_harness.hpp"

using orrery::test::Workspace;

TEST_CASE("NPE on gaussian_linear passes SBC coverage and TARP checks", "[e2e][sbi][calibration]") {
  Workspace ws;
  ws.write("analysis.toml", R"([analysis]
name = "npe_calibration"
seed = 3

[parameters]
theta = { shape = [10], prior = "normal", mean = 0.0, sd = 0.31622776601683794, truth = [0.1, -0.2, 0.3, 0.0, 0.2, -0.1, 0.4, -0.3, 0.05, 0.15] }

[components.sim]
plugin = "sbibm.gaussian_linear"

[observation]
simulate_at = "truth"
simulator = "@sim"

[components.npe]
plugin = "sbi.npe"
simulator = "@sim"
estimator = { plugin = "nde.maf", max_epochs = 60 }
simulations = 3000
samples = 1000

[components.sbc]
plugin = "diagnostics.sbc"
posterior = "@npe"
trials = 200
draws = 100

[components.coverage]
plugin = "diagnostics.coverage"
posterior = "@npe"
trials = 200
draws = 100

[components.tarp]
plugin = "diagnostics.tarp"
posterior = "@npe"
trials = 200
draws = 100
)");
  const auto r = ws.orrery("run analysis.toml -q");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto tasks = ws.json("runs/npe_calibration/summary.json")["tasks"];
  auto number = [&](const char* task, const char* key) {
    return std::stod(tasks[task]["report"][key].get<std::string>());
  };
  const double sbc_p = number("sbc", "smallest KS p-value");
  const double coverage_dev = number("coverage", "largest |empirical - nominal|");
  const double tarp_p = number("tarp", "KS p-value of coverage values");
  std::printf("NPE gaussian_linear (10-d, 3000 simulations): SBC smallest KS p %.3g, coverage deviation %.3f, "
              "TARP KS p %.3g\n", sbc_p, coverage_dev, tarp_p);
  // Ten parameters: a Bonferroni-style floor well below what a calibrated posterior gives.
  CHECK(sbc_p > 1e-3);
  // 200 trials: the null sd of a coverage fraction is at most 0.035; allow 4 sd and the L = 100 grid step.
  CHECK(coverage_dev < 4 * 0.0354 + 0.01);
  CHECK(tarp_p > 1e-3);
  CHECK(ws.exists("runs/npe_calibration/sbc_sbc_histogram.txt"));
  CHECK(ws.exists("runs/npe_calibration/observation.txt"));
}

TEST_CASE("simulation-based inference refuses an improper prior", "[e2e][sbi]") {
  Workspace ws;
  ws.write("obs.txt", "0.1 0.2\n");
  ws.write("analysis.toml", R"([analysis]
name = "improper"
[parameters]
t1 = { prior = "flat" }
t2 = { prior = "uniform", min = -1.0, max = 1.0 }
[components.sim]
plugin = "sbibm.two_moons"
[components.npe]
plugin = "sbi.npe"
simulator = "@sim"
estimator = { plugin = "nde.maf" }
simulations = 100
[observation]
file = "obs.txt"
)");
  const auto r = ws.orrery("validate analysis.toml");
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("the prior of t1 is improper"));
}
