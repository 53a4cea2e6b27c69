// End to end: configs/quickstart.toml through the real CLI, checked against
// the analytic posterior, plus reproducibility and output safety.
#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cmath>

#include "cli_harness.hpp"

using orrery::test::kSourceDir;
using orrery::test::Workspace;

namespace {
const std::string kQuickstart = "'" + (kSourceDir / "configs/quickstart.toml").string() + "'";

/// Rows of a GetDist chain file.
std::vector<std::vector<double>> read_chain(const Workspace& ws, const std::string& rel) {
  std::vector<std::vector<double>> rows;
  std::istringstream in(ws.read(rel));
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::vector<double> row;
    for (double x; ls >> x;) row.push_back(x);
    if (!row.empty()) rows.push_back(row);
  }
  return rows;
}
}  // namespace

TEST_CASE("quickstart posterior matches the analytic Gaussian within Monte Carlo error", "[e2e][quickstart]") {
  Workspace ws;
  const auto r = ws.orrery("run " + kQuickstart + " -q");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"chain.txt", "chain.paramnames", "summary.txt", "summary.json", "manifest.json", "config.toml", "log.txt"})
    CHECK(ws.exists(std::string("runs/quickstart/") + f));
  CHECK(ws.list("runs") == std::vector<std::string>{"quickstart"});  // no staging folder left behind

  // Prior x ~ U(-5, 5) (flat at ±4 sd), y ~ N(0, 2²); likelihood N([1, -0.5], Σ).
  // (Dynamic sizes: g++ 12 warns spuriously about fixed 2×2 products with AVX.)
  Eigen::MatrixXd sigma(2, 2);
  sigma << 1.0, 0.8, 0.8, 2.0;
  Eigen::MatrixXd precision = sigma.inverse();
  precision(1, 1) += 1.0 / 4.0;
  const Eigen::MatrixXd cov = precision.inverse();
  Eigen::VectorXd mu(2);
  mu << 1.0, -0.5;
  const Eigen::VectorXd mean = cov * (sigma.inverse() * mu);

  const auto summary = ws.json("runs/quickstart/summary.json");
  const auto& params = summary["samplers"]["sampler"]["parameters"];
  REQUIRE(params.size() == 2);
  for (int k = 0; k < 2; ++k) {
    const double sd = std::sqrt(cov(k, k));
    const double ess = params[k]["ess_bulk"].get<double>();
    REQUIRE(ess > 1000);
    CHECK(params[k]["ess_tail"].get<double>() > 1000);
    CHECK(params[k]["rhat"].get<double>() < 1.01);
    CHECK(params[k]["iat"].get<double>() >= 1.0);  // Metropolis draws are positively correlated
    const double mcse_mean = params[k]["mcse_mean"].get<double>();
    CHECK(mcse_mean == Approx(params[k]["sd"].get<double>() / std::sqrt(ess)).epsilon(0.1));  // ess_mean ≈ ess_bulk here
    CHECK(std::abs(params[k]["mean"].get<double>() - mean[k]) < 4 * mcse_mean);
    const double mcse_sd = sd / std::sqrt(2 * ess);  // for a Gaussian
    CHECK(std::abs(params[k]["sd"].get<double>() - sd) < 4 * mcse_sd);
  }

  // Correlation from the chain file itself (weight, -log post, x, y).
  const auto rows = read_chain(ws, "runs/quickstart/chain.txt");
  REQUIRE(rows.size() == 4 * 5000);
  Eigen::MatrixXd xy(static_cast<Eigen::Index>(rows.size()), 2);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == 4);
    CHECK(rows[i][0] == 1.0);
    xy(static_cast<Eigen::Index>(i), 0) = rows[i][2];
    xy(static_cast<Eigen::Index>(i), 1) = rows[i][3];
  }
  const Eigen::MatrixXd centred = xy.rowwise() - xy.colwise().mean();
  const Eigen::MatrixXd sample_cov = centred.transpose() * centred / static_cast<double>(rows.size() - 1);
  const double rho = sample_cov(0, 1) / std::sqrt(sample_cov(0, 0) * sample_cov(1, 1));
  const double rho_true = cov(0, 1) / std::sqrt(cov(0, 0) * cov(1, 1));
  const double ess = std::min(params[0]["ess_bulk"].get<double>(), params[1]["ess_bulk"].get<double>());
  CHECK(std::abs(rho - rho_true) < 4 * (1 - rho_true * rho_true) / std::sqrt(ess));
  CHECK(ws.read("runs/quickstart/chain.paramnames").find("x\t") == 0);
}

TEST_CASE("same seed gives bit-identical chains whatever the thread count", "[e2e][reproducibility]") {
  Workspace ws;
  const std::string small = " -q --set components.sampler.steps=500 ";
  REQUIRE(ws.orrery("run " + kQuickstart + small + "--threads 1 --set analysis.name=a").exit_code == 0);
  REQUIRE(ws.orrery("run " + kQuickstart + small + "--threads 2 --set analysis.name=b").exit_code == 0);
  REQUIRE(ws.orrery("run " + kQuickstart + small + "--set analysis.name=c --set analysis.seed=7").exit_code == 0);
  const std::string a = ws.read("runs/a/chain.txt");
  CHECK(a.size() > 1000);
  CHECK(a == ws.read("runs/b/chain.txt"));
  CHECK(a != ws.read("runs/c/chain.txt"));
}

TEST_CASE("a run never overwrites an earlier one unless --force is given", "[e2e][outputs]") {
  Workspace ws;
  const std::string small = " -q --set components.sampler.steps=300 ";
  REQUIRE(ws.orrery("run " + kQuickstart + small).exit_code == 0);
  const std::string first = ws.read("runs/quickstart/chain.txt");

  const auto again = ws.orrery("run " + kQuickstart + small + "--set analysis.seed=9");
  CHECK(again.exit_code != 0);
  CHECK_THAT(again.err, Catch::Contains("already exists") && Catch::Contains("--force"));
  CHECK(ws.read("runs/quickstart/chain.txt") == first);
  CHECK(ws.list("runs").size() == 1);

  REQUIRE(ws.orrery("run " + kQuickstart + small + "--set analysis.seed=9 --force").exit_code == 0);
  CHECK(ws.read("runs/quickstart/chain.txt") != first);
  CHECK(ws.list("runs").size() == 1);
}

TEST_CASE("overrides are applied and the resolved config and manifest record the run", "[e2e][outputs]") {
  Workspace ws;
  const auto r = ws.orrery("run " + kQuickstart + " -q --set components.sampler.steps=123 --set components.sampler.chains=2");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_chain(ws, "runs/quickstart/chain.txt").size() == 246);
  const std::string resolved = ws.read("runs/quickstart/config.toml");
  CHECK_THAT(resolved, Catch::Contains("steps = 123"));
  CHECK_THAT(resolved, Catch::Contains("warmup"));  // defaults are filled in
  const auto manifest = ws.json("runs/quickstart/manifest.json");
  CHECK(manifest["seed"] == 42);
  CHECK(manifest["sdk_abi"] == 3);
  CHECK(manifest["plugins"][0]["library"] == "core");
  CHECK(manifest["timings"]["run_s"].contains("sampler"));
  CHECK(manifest["components"].size() == 5);
  CHECK_THAT(r.out, Catch::Contains("sampler 'sampler' (samplers.nuts)"));
}

TEST_CASE("the resolved config of a run reproduces it exactly", "[e2e][reproducibility]") {
  Workspace ws;
  REQUIRE(ws.orrery("run " + kQuickstart + " -q --set components.sampler.steps=400").exit_code == 0);
  const auto again = ws.orrery("run runs/quickstart/config.toml -q --set analysis.name=again");
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(ws.read("runs/again/chain.txt") == ws.read("runs/quickstart/chain.txt"));
  CHECK(ws.read("runs/again/chain.paramnames") == ws.read("runs/quickstart/chain.paramnames"));
}

TEST_CASE("every sampler swaps into the quickstart with one line and finds the analytic posterior", "[e2e][samplers]") {
  // Same analytic answer as above.
  Eigen::MatrixXd sigma(2, 2);
  sigma << 1.0, 0.8, 0.8, 2.0;
  Eigen::MatrixXd precision = sigma.inverse();
  precision(1, 1) += 1.0 / 4.0;
  const Eigen::MatrixXd cov = precision.inverse();
  Eigen::VectorXd mu(2);
  mu << 1.0, -0.5;
  const Eigen::VectorXd mean = cov * (sigma.inverse() * mu);
  for (const std::string plugin : {"samplers.metropolis", "samplers.hmc", "samplers.mala", "samplers.ensemble"}) {
    INFO(plugin);
    Workspace ws;
    const std::string steps = plugin == "samplers.ensemble" ? "4000" : "2000";
    // Only the plugin line changes (steps is shortened to keep the test quick).
    const auto r = ws.orrery("run " + kQuickstart + " -q --set components.sampler.plugin=" + plugin +
                             " --set components.sampler.steps=" + steps);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto params = ws.json("runs/quickstart/summary.json")["samplers"]["sampler"]["parameters"];
    for (int k = 0; k < 2; ++k) {
      const double sd = std::sqrt(cov(k, k));
      const double ess = params[k]["ess_bulk"].get<double>();
      REQUIRE(ess > 300);
      CHECK(std::abs(params[k]["mean"].get<double>() - mean[k]) < 4 * params[k]["mcse_mean"].get<double>());
      // HMC's draws are antithetic for the mean (bulk ESS above the number of
      // draws) but not for the scale; the tail ESS is the closer measure there.
      const double ess_scale = std::min(ess, params[k]["ess_tail"].get<double>());
      CHECK(std::abs(params[k]["sd"].get<double>() - sd) < 4 * sd / std::sqrt(2 * ess_scale));
    }
  }
}
