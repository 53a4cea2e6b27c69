// End to end: configs/quickstart.toml with its sampler swapped for the
// samplers.map task by one --set, checked against the analytic posterior
// mode and covariance (the quickstart posterior is Gaussian).
#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "cli_harness.hpp"

using orrery::test::kSourceDir;
using orrery::test::Workspace;

namespace {
const std::string kQuickstart = "'" + (kSourceDir / "configs/quickstart.toml").string() + "'";
const std::string kUseMap = " --set 'components.sampler={ plugin = \"samplers.map\" }' ";
}  // namespace

TEST_CASE("the quickstart with samplers.map finds the analytic posterior mode and covariance", "[e2e][map]") {
  Workspace ws;
  const auto r = ws.orrery("run " + kQuickstart + kUseMap + "-q");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  // Prior x ~ U(-5, 5) (flat where it matters), y ~ N(0, 2²); likelihood
  // N([1, -0.5], Σ): the posterior is N(mean, cov) with the values below, its
  // mode is its mean. (Dynamic sizes: see test_quickstart.cpp.)
  Eigen::MatrixXd sigma(2, 2);
  sigma << 1.0, 0.8, 0.8, 2.0;
  Eigen::MatrixXd precision = sigma.inverse();
  precision(1, 1) += 1.0 / 4.0;
  const Eigen::MatrixXd cov = precision.inverse();
  Eigen::VectorXd mu(2);
  mu << 1.0, -0.5;
  const Eigen::VectorXd mean = cov * (sigma.inverse() * mu);

  const auto map = ws.json("runs/quickstart/map.json");
  CHECK(map["status"] == "converged");
  CHECK(map["parameters"] == nlohmann::json::array({"x", "y"}));
  CHECK(map["starts_agreeing"] == 4);
  CHECK(map["at_bound"].empty());
  for (int k = 0; k < 2; ++k) {
    const double sd = std::sqrt(cov(k, k));
    CHECK(std::abs(map["optimum"][k].get<double>() - mean[k]) < 1e-6 * sd);
    CHECK(map["laplace"]["sd"][k].get<double>() == Approx(sd).epsilon(1e-5));
    for (int j = 0; j < 2; ++j)
      CHECK(std::abs(map["laplace"]["covariance"][k][j].get<double>() - cov(k, j)) <
            1e-5 * std::sqrt(cov(k, k) * cov(j, j)));
  }
  // log p at the mode: log N(mode; μ, Σ) + log U(-5, 5) + log N(mode_y; 0, 2²), all normalised.
  const Eigen::VectorXd r_like = mean - mu;
  const double log_like = -0.5 * r_like.dot(sigma.inverse() * r_like) - std::log(2 * M_PI) -
                          0.5 * std::log(sigma.determinant());
  const double log_prior = -std::log(10.0) - 0.5 * mean[1] * mean[1] / 4.0 - 0.5 * std::log(2 * M_PI * 4.0);
  CHECK(map["log_density"].get<double>() == Approx(log_like + log_prior).epsilon(1e-9));

  // The covariance file feeds back into Cobaya/CosmoSIS as a proposal covariance.
  std::istringstream covmat(ws.read("runs/quickstart/map_covariance.txt"));
  std::string header;
  std::getline(covmat, header);
  CHECK(header == "# x y");
  double c[4];
  for (double& v : c) covmat >> v;
  CHECK(c[1] == Approx(cov(0, 1)).epsilon(1e-5));
  CHECK(c[1] == c[2]);

  // The summary carries the report; nothing partial is left behind.
  const auto summary = ws.json("runs/quickstart/summary.json");
  CHECK(summary["tasks"]["sampler"]["plugin"] == "samplers.map");
  CHECK(summary["tasks"]["sampler"]["report"]["status"] == "converged");
  CHECK(summary["tasks"]["sampler"]["files"] == nlohmann::json::array({"map.json", "map_covariance.txt"}));
  CHECK(ws.list("runs") == std::vector<std::string>{"quickstart"});
}

TEST_CASE("samplers.map gives identical files whatever the thread count", "[e2e][map][reproducibility]") {
  Workspace ws;
  REQUIRE(ws.orrery("run " + kQuickstart + kUseMap + "-q --threads 1 --set analysis.name=a").exit_code == 0);
  REQUIRE(ws.orrery("run " + kQuickstart + kUseMap + "-q --threads 3 --set analysis.name=b").exit_code == 0);
  CHECK(ws.read("runs/a/map.json") == ws.read("runs/b/map.json"));
  CHECK(ws.read("runs/a/map_covariance.txt") == ws.read("runs/b/map_covariance.txt"));
}

TEST_CASE("samplers.map rejects a bad option with its key and location", "[e2e][map]") {
  Workspace ws;
  const auto r = ws.orrery("run " + kQuickstart +
                           " -q --set 'components.sampler={ plugin = \"samplers.map\", gradient_tolerance = -1 }'");
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("gradient_tolerance"));
  CHECK(!ws.exists("runs/quickstart"));
}
