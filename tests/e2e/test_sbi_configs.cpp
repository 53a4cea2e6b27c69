// End to end: the sbi plugin through the real CLI.
//  * sbi.npe on sbibm's gaussian_linear (observation 1) against the analytic
//    posterior N(x_o/2, 0.05 I), and the second run of the unchanged analysis
//    reusing the cached simulations and estimator (identical draws);
//  * sbi.nle on gaussian_linear with samplers.nuts on @posterior, against the
//    same analytic posterior;
//  * sbi.snle on gaussian_linear with samplers.nuts on @posterior, against the
//    same analytic posterior, and identical on one thread without the cache;
//  * configs/npe_two_moons.toml, configs/nle_slcp.toml and
//    configs/snle_gaussian_mixture.toml at reduced size;
//  * an observation whose shape does not fit the simulator.
// Sizes are CI-sized (a few seconds per run), so the bounds below come from
// measured runs, not from Monte Carlo error alone: the estimator's own error
// at 2000 simulations dominates.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_harness.hpp"

using orrery::test::kSourceDir;
using orrery::test::Workspace;

namespace {

// sbibm gaussian_linear, observation 1, as one CSV line of 10 values.
std::string gaussian_linear_observation() {
  std::ifstream in(std::filesystem::path(ORRERY_VALIDATION_DIR) / "sbibm/gaussian_linear/num_observation_1/observation.csv");
  std::string header, values;
  std::getline(in, header);
  std::getline(in, values);
  return values;
}

std::vector<double> parse_values(const std::string& csv) {
  std::vector<double> out;
  std::stringstream s(csv);
  for (std::string item; std::getline(s, item, ',');) out.push_back(std::stod(item));
  return out;
}

const char* kGaussianLinearHead = R"(
[parameters]
theta = { shape = [10], prior = "normal", mean = 0.0, sd = 0.31622776601683794 }

[components.sim]
plugin = "sbibm.gaussian_linear"

[observation]
file = "obs.csv"
)";

/// Writes obs.csv (observation 1) and `file` (analysis `name`, `seed`, the head, `components`); returns x_o.
std::vector<double> write_gaussian_linear(const Workspace& ws, const std::string& file, const std::string& name,
                                          int seed, const std::string& components) {
  const std::string obs = gaussian_linear_observation();
  ws.write("obs.csv", obs + "\n");
  ws.write(file, "[analysis]\nname = \"" + name + "\"\nseed = " + std::to_string(seed) + "\n" + kGaussianLinearHead +
                     components);
  return parse_values(obs);
}

/// Runs `orrery <args>` in `ws` and requires exit code 0 (showing stderr if not).
void run_ok(const Workspace& ws, const std::string& args) {
  const auto r = ws.orrery(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

/// Runs `orrery <args>` (it must succeed) and returns runs/<name>/summary.json.
nlohmann::json run_summary(const Workspace& ws, const std::string& args, const std::string& name) {
  run_ok(ws, args);
  return ws.json("runs/" + name + "/summary.json");
}

/// Runs the shipped configs/<name>.toml with `options` (it must succeed) and returns its summary.json.
nlohmann::json run_shipped_config(const Workspace& ws, const std::string& name, const std::string& options) {
  // The shipped configs name their analysis after the file, so the run lands in runs/<name>.
  return run_summary(ws, "run '" + (kSourceDir / ("configs/" + name + ".toml")).string() + "' " + options, name);
}

/// Reruns `config` as analysis `<name>_serial` on one thread without the cache; requires run `name`'s exact chain.
void check_serial_rerun_identical(const Workspace& ws, const std::string& config, const std::string& name) {
  run_ok(ws, "run " + config + " -q --no-cache --threads 1 --set analysis.name=" + name + "_serial");
  CHECK(ws.read("runs/" + name + "_serial/chain.txt") == ws.read("runs/" + name + "/chain.txt"));
}

/// The C2ST score that the config's c2st task reported in `summary`.
double c2st(const nlohmann::json& summary) {
  return std::stod(summary["tasks"]["c2st"]["report"]["c2st"].get<std::string>());
}

/// Every parameter's 16-84 % interval lies within [lo, hi] (the prior's box).
void check_intervals_within(const nlohmann::json& params, double lo, double hi) {
  for (const auto& p : params) {
    CHECK(p["q16"].get<double>() >= lo);
    CHECK(p["q84"].get<double>() <= hi);
  }
}

// Posterior mean and sd of every element against N(x_o/2, 0.05 I).
void check_gaussian_linear(const nlohmann::json& params, const std::vector<double>& x_o, double mean_tol,
                           double sd_tol) {
  REQUIRE(params.size() == 10);
  const double sd = std::sqrt(0.05);
  double worst_mean = 0, worst_sd = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    CHECK(params[i]["name"] == "theta[" + std::to_string(i) + "]");
    worst_mean = std::max(worst_mean, std::abs(params[i]["mean"].get<double>() - x_o[i] / 2));
    worst_sd = std::max(worst_sd, std::abs(params[i]["sd"].get<double>() - sd));
  }
  INFO(params.dump());
  CHECK(worst_mean < mean_tol);
  CHECK(worst_sd < sd_tol);
}

}  // namespace

TEST_CASE("sbi.npe on gaussian_linear recovers the analytic posterior and reuses its cache", "[e2e][sbi]") {
  Workspace ws;
  const std::vector<double> x_o = write_gaussian_linear(ws, "npe.toml", "npe_gl", 3, R"(
[components.npe]
plugin = "sbi.npe"
simulator = "@sim"
estimator = { plugin = "nde.maf" }
simulations = 10000
samples = 4000
)");
  REQUIRE(x_o.size() == 10);
  const auto sampler = run_summary(ws, "run npe.toml", "npe_gl")["samplers"]["npe"];
  CHECK(sampler["plugin"] == "sbi.npe");
  CHECK(sampler["chains"] == 1);
  CHECK(sampler["draws"] == 4000);
  // The normal prior has unbounded support: the rejection step keeps everything.
  CHECK(sampler["statistics"]["rejection_acceptance"] == 1.0);
  CHECK(sampler["statistics"]["simulations"] == 10000);
  CHECK(sampler["statistics"]["failed_simulations"] == 0);
  // Measured over seeds 1-5 (10^4 simulations, default nde.maf, 4000 draws):
  // largest |mean − x_o/2| over the 10 elements 0.031-0.060 (this seed 0.059),
  // largest |sd − 0.2236| 0.008-0.016; the draws' own MCSE of a mean is
  // 0.2236/√4000 = 0.0035, so the estimator's error dominates. Bounds: 1.7×
  // and 2× the largest measured errors.
  check_gaussian_linear(sampler["parameters"], x_o, 0.10, 0.035);

  // The simulation set is in the cache as .npy files: 10^4 rows of 10 float64 after a 128-byte header.
  bool found_set = false;
  for (const auto& e : std::filesystem::recursive_directory_iterator(ws / "runs/.cache"))
    found_set |= e.path().filename() == "theta.npy" && std::filesystem::file_size(e.path()) == 128 + 10000 * 10 * 8;
  CHECK(found_set);

  // Recomputed on one thread without the cache (so trained again): bit-identical draws.
  check_serial_rerun_identical(ws, "npe.toml", "npe_gl");
  CHECK(ws.read("runs/npe_gl_serial/log.txt").find("training the density estimator") != std::string::npos);

  // Same analysis, another output name: nothing is simulated or trained again.
  run_ok(ws, "run npe.toml -q --set analysis.name=npe_gl_again");
  CHECK(ws.read("runs/npe_gl_again/log.txt").find("reusing the trained estimator") != std::string::npos);
  CHECK(ws.read("runs/npe_gl_again/log.txt").find("training the density estimator") == std::string::npos);
  CHECK(ws.read("runs/npe_gl_again/chain.txt") == ws.read("runs/npe_gl/chain.txt"));
}

TEST_CASE("sbi.nle on gaussian_linear with NUTS recovers the analytic posterior", "[e2e][sbi]") {
  Workspace ws;
  const std::vector<double> x_o = write_gaussian_linear(ws, "nle.toml", "nle_gl", 5, R"(
[components.nle]
plugin = "sbi.nle"
simulator = "@sim"
estimator = { plugin = "nde.maf" }
simulations = 10000

[components.sampler]
plugin = "samplers.nuts"
target = "@posterior"
chains = 2
warmup = 300
steps = 1000
)");
  const auto sampler = run_summary(ws, "run nle.toml", "nle_gl")["samplers"]["sampler"];
  CHECK(sampler["likelihood_nonfinite"] == 0);
  // Measured over seeds 1-5 (10^4 simulations, default nde.maf, 2 × 1000 NUTS
  // draws): largest |mean − x_o/2| 0.023-0.035 (this seed 0.023), largest
  // |sd − 0.2236| 0.011-0.015, MCSE of a mean ≤ 0.0044, R-hat ≤ 1.005.
  // Bounds: 2× and 2.3× the largest measured errors.
  check_gaussian_linear(sampler["parameters"], x_o, 0.07, 0.035);
  for (const auto& p : sampler["parameters"]) CHECK(p["rhat"].get<double>() < 1.02);
}

TEST_CASE("npe_two_moons config at reduced size", "[e2e][sbi]") {
  Workspace ws;
  const auto summary = run_shipped_config(ws, "npe_two_moons", "-q --set components.npe.simulations=2000");
  const auto sampler = summary["samplers"]["npe"];
  CHECK(sampler["draws"] == 10000);
  const double acceptance = sampler["statistics"]["rejection_acceptance"].get<double>();
  CHECK(acceptance > 0.9);  // measured 0.99: the flow puts ~1 % of its mass outside the box
  CHECK(acceptance <= 1.0);
  const auto& params = sampler["parameters"];
  REQUIRE(params.size() == 2);
  check_intervals_within(params, -1.0, 1.0);
  // The reference posterior (10^4 samples) has means (−0.116, 0.115) and sds
  // (0.677, 0.676); at 2000 simulations we measured means (−0.060, 0.159), sds
  // (0.681, 0.672) and C2ST 0.574 (sbi's NPE: 0.725 ± 0.045 at 10^3 and 0.606
  // at 10^4 simulations).
  CHECK(std::abs(params[0]["mean"].get<double>() + 0.116) < 0.12);
  CHECK(std::abs(params[1]["mean"].get<double>() - 0.115) < 0.12);
  CHECK(std::abs(params[0]["sd"].get<double>() - 0.677) < 0.06);
  CHECK(std::abs(params[1]["sd"].get<double>() - 0.676) < 0.06);
  CHECK(c2st(summary) < 0.65);
}

TEST_CASE("nle_slcp config at reduced size", "[e2e][sbi]") {
  Workspace ws;
  // The C2ST task is left out (--only): on 5-d draws it takes longer than the rest.
  const std::string options = "-q --only sampler --set components.nle.simulations=5000"
                              " --set components.sampler.warmup=300 --set components.sampler.steps=160";
  const auto sampler = run_shipped_config(ws, "nle_slcp", options)["samplers"]["sampler"];
  CHECK(sampler["plugin"] == "samplers.ensemble");
  CHECK(sampler["likelihood_nonfinite"] == 0);
  const auto& params = sampler["parameters"];
  REQUIRE(params.size() == 5);
  check_intervals_within(params, -3.0, 3.0);
  // θ2 (the mean of the data's second coordinate) is the best-constrained
  // parameter: reference mean 0.034, sd 0.338, against the prior's sd 1.73.
  // Measured at this size with seeds 1-3: means 0.21, -0.08, -0.09 and sds
  // 0.67, 0.51, 0.82. (At 2000 simulations the sd ranged over 0.79-1.6 with
  // the seed: the estimator, not the sampler, is what needs the simulations.)
  CHECK(std::abs(params[1]["mean"].get<double>() - 0.034) < 0.4);
  CHECK(params[1]["sd"].get<double>() < 1.2);
}

TEST_CASE("sbi refuses an observation whose shape does not fit the simulator", "[e2e][sbi]") {
  Workspace ws;
  ws.write("obs.csv", "1, 2, 3\n");
  ws.write("bad.toml", std::string("[analysis]\nname = \"bad\"\n") + kGaussianLinearHead + R"(
[components.nle]
plugin = "sbi.nle"
simulator = "@sim"
estimator = "nde.maf"
simulations = 100
)");
  const auto r = ws.orrery("validate bad.toml");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("component 'nle'") && Catch::Contains("shape [3]") &&
                        Catch::Contains("shape [10]"));
}

// sbi.snle: 3 rounds of 1000 simulations on gaussian_linear (round 1 from the
// prior, rounds 2-3 from the ensemble-MCMC proposal), then NUTS on @posterior,
// against the analytic posterior N(x_o/2, 0.05 I); the log reports every
// round and its proposal MCMC; a rerun with --threads 1 --no-cache gives the
// identical chain.
TEST_CASE("sbi.snle on gaussian_linear with NUTS recovers the analytic posterior", "[e2e][sbi]") {
  Workspace ws;
  const std::vector<double> x_o = write_gaussian_linear(ws, "snle.toml", "snle_gl", 5, R"(
[components.snle]
plugin = "sbi.snle"
simulator = "@sim"
estimator = { plugin = "nde.maf" }
rounds = 3
simulations = 1000
proposal_walkers = 40
proposal_warmup = 100
proposal_thin = 5

[components.sampler]
plugin = "samplers.nuts"
target = "@posterior"
chains = 2
warmup = 300
steps = 1000
)");
  run_ok(ws, "run snle.toml");
  const std::string log = ws.read("runs/snle_gl/log.txt");
  CHECK(log.find("round 1/3: simulating at 1000 θ drawn from the prior") != std::string::npos);
  CHECK(log.find("round 2/3: proposal MCMC (40 walkers") != std::string::npos);
  CHECK(log.find("round 3/3: trained on 3000 pairs") != std::string::npos);
  const auto sampler = ws.json("runs/snle_gl/summary.json")["samplers"]["sampler"];
  CHECK(sampler["likelihood_nonfinite"] == 0);
  // Measured over seeds 1-5 (3 × 1000 simulations, default nde.maf, 2 × 1000
  // NUTS draws): largest |mean − x_o/2| 0.036-0.070 (this seed 0.036), largest
  // |sd − 0.2236| 0.021-0.035 (this seed 0.035), R-hat ≤ 1.009. (sbi.nle on
  // 3000 prior simulations, same seeds: 0.054-0.076 and 0.007-0.015.) Bounds:
  // about 1.7× the largest measured errors.
  check_gaussian_linear(sampler["parameters"], x_o, 0.12, 0.06);
  for (const auto& p : sampler["parameters"]) CHECK(p["rhat"].get<double>() < 1.02);

  check_serial_rerun_identical(ws, "snle.toml", "snle_gl");
}

TEST_CASE("snle_gaussian_mixture config at reduced size", "[e2e][sbi]") {
  Workspace ws;
  const auto summary =
      run_shipped_config(ws, "snle_gaussian_mixture",
                         "-q --set components.snle.rounds=3 --set components.snle.simulations=500"
                         " --set components.snle.proposal_warmup=100 --set components.snle.proposal_thin=5"
                         " --set components.sampler.warmup=300 --set components.sampler.steps=500");
  const auto sampler = summary["samplers"]["sampler"];
  CHECK(sampler["plugin"] == "samplers.ensemble");
  CHECK(sampler["likelihood_nonfinite"] == 0);
  const auto& params = sampler["parameters"];
  REQUIRE(params.size() == 2);
  // The reference posterior (10^4 samples) has medians (−9.434, −1.490) and
  // 16-84 % intervals [−9.588, −8.871] and [−1.753, −1.203]. At this size
  // (3 × 500 simulations) over seeds 1-5 the medians were −9.355 to −9.423 and
  // −1.467 to −1.530 (this seed −9.422, −1.530) and C2ST 0.636-0.683 (this
  // seed 0.683). Means and sds are not checked: a walker of the final ensemble
  // may sit in a far spurious mode of a likelihood trained on 1500 pairs (seed
  // 4: mean −8.04, sd 4.5 for θ1, with the quantiles in place).
  CHECK(std::abs(params[0]["q50"].get<double>() + 9.434) < 0.2);
  CHECK(std::abs(params[1]["q50"].get<double>() + 1.490) < 0.2);
  for (const auto& p : params) CHECK(p["q16"].get<double>() >= -10.0);
  CHECK(c2st(summary) < 0.75);
}
