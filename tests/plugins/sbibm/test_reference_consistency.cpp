// Each simulator against sbibm's stored data: for all 10 observations, x_o
// must be a typical draw of our simulator at the stored θ*. Gaussian tasks:
// the summed χ² of x_o - θ* over the 10 observations lies within 5 sd of its
// degrees of freedom (a wrong noise variance, e.g. 0.01 or 1 instead of 0.1,
// moves it by far more). two_moons: x_o - offset(θ*) lies on the right
// half-circle with radius within 5 sd of 0.1. gaussian_mixture: x_o is
// plausible under the mixture. bernoulli_glm: the χ² of x_o about Xᵀz(θ*).
// sir: binomial counts within 5 sd of 1000·I(t)/N of our ODE solution.
// lotka_volterra: log x_o - log(solution) within ±5·0.1, and its χ² plausible.
#include <catch2/catch.hpp>

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <string>

#include "bernoulli_glm.hpp"
#include "glm_design.hpp"
#include "lotka_volterra.hpp"
#include "reference_data.hpp"
#include "sbibm_test_support.hpp"
#include "sir.hpp"
#include "slcp.hpp"

using orrery::sbibm::ReferenceObservation;
using orrery::sbibm::read_reference;
using orrery::sbibm::test::kValidationDir;

namespace {

ReferenceObservation reference(const std::string& task, int k) { return read_reference(kValidationDir, task, k, false); }

/// A χ² statistic with `dof` degrees of freedom lies within 5 sd (sqrt(2 dof)) of dof.
void check_chi_square(double chi2, double dof, const std::string& what) {
  INFO(what << ": χ² = " << chi2 << " with " << dof << " degrees of freedom");
  CHECK(std::abs(chi2 - dof) <= 5.0 * std::sqrt(2.0 * dof));
}

/// Σ over observations of |x_o - θ*|² / 0.1 for the Gaussian linear tasks.
void check_gaussian_linear(const std::string& task) {
  double chi2 = 0.0;
  for (int k = 1; k <= 10; ++k) {
    const ReferenceObservation ref = reference(task, k);
    REQUIRE(ref.observation.size() == 10);
    REQUIRE(ref.true_parameters.size() == 10);
    chi2 += (ref.observation - ref.true_parameters).squaredNorm() / 0.1;
  }
  check_chi_square(chi2, 100.0, task);
}

}  // namespace

TEST_CASE("gaussian_linear observations are typical draws at the true parameters") {
  check_gaussian_linear("gaussian_linear");
}

TEST_CASE("gaussian_linear_uniform observations are typical draws at the true parameters") {
  check_gaussian_linear("gaussian_linear_uniform");
}

TEST_CASE("two_moons observations lie on the moon of the true parameters") {
  for (int k = 1; k <= 10; ++k) {
    const ReferenceObservation ref = reference("two_moons", k);
    const Eigen::VectorXd& t = ref.true_parameters;
    const double p1 = ref.observation[0] + std::abs(t[0] + t[1]) / std::sqrt(2.0);
    const double p2 = ref.observation[1] - (t[1] - t[0]) / std::sqrt(2.0);
    const double r = std::hypot(p1 - 0.25, p2);
    INFO("observation " << k << ": p = (" << p1 << ", " << p2 << "), r = " << r);
    CHECK(p1 - 0.25 > 0.0);  // a ∈ (-π/2, π/2)
    CHECK(std::abs(r - 0.1) <= 5.0 * 0.01);
  }
}

TEST_CASE("slcp observations are typical draws at the true parameters") {
  double chi2 = 0.0;
  for (int k = 1; k <= 10; ++k) {
    const ReferenceObservation ref = reference("slcp", k);
    REQUIRE(ref.observation.size() == 8);
    const Eigen::Matrix2d s = orrery::sbibm::Slcp::covariance(ref.true_parameters);
    const Eigen::LLT<Eigen::Matrix2d> llt(s);
    for (int j = 0; j < 4; ++j) {
      const Eigen::Vector2d u = ref.observation.segment<2>(2 * j) - ref.true_parameters.head<2>();
      chi2 += u.dot(llt.solve(u));
    }
  }
  check_chi_square(chi2, 80.0, "slcp");
}

TEST_CASE("gaussian_mixture observations are plausible under the mixture at the true parameters") {
  for (int k = 1; k <= 10; ++k) {
    const ReferenceObservation ref = reference("gaussian_mixture", k);
    const double r2 = (ref.observation - ref.true_parameters).squaredNorm();
    // P(|x - θ|² > r²) under ½ N(θ, I) + ½ N(θ, 0.01 I): χ²₂ tails exp(-r²/(2σ²)).
    const double tail = 0.5 * std::exp(-r2 / 2.0) + 0.5 * std::exp(-r2 / 0.02);
    INFO("observation " << k << ": |x_o - θ*|² = " << r2 << ", tail probability " << tail);
    CHECK(tail > 1e-4);
  }
}

TEST_CASE("bernoulli_glm observations are typical draws at the true parameters") {
  const auto& design = orrery::sbibm::glm_design();
  double chi2 = 0.0;
  for (int k = 1; k <= 10; ++k) {
    const ReferenceObservation ref = reference("bernoulli_glm", k);
    const auto z = orrery::sbibm::BernoulliGlm::spike_probabilities(ref.true_parameters);
    const Eigen::VectorXd mean = design.transpose() * z;
    const Eigen::MatrixXd cov = design.transpose() * (z.array() * (1.0 - z.array())).matrix().asDiagonal() * design;
    const Eigen::VectorXd d = ref.observation - mean;
    chi2 += d.dot(cov.llt().solve(d));  // ≈ χ²₁₀ by the central limit theorem
  }
  check_chi_square(chi2, 100.0, "bernoulli_glm");
}

TEST_CASE("sir observations are binomial counts of the ODE solution at the true parameters") {
  for (int k = 1; k <= 10; ++k) {
    const ReferenceObservation ref = reference("sir", k);
    REQUIRE(ref.observation.size() == 10);
    const orrery::sbibm::Sir::Fractions fraction = orrery::sbibm::Sir::infected_fraction(ref.true_parameters);
    for (int j = 0; j < 10; ++j) {
      const double p = std::clamp(fraction[j], 0.0, 1.0);
      const double mean = 1000.0 * p, sd = std::sqrt(1000.0 * p * (1.0 - p));
      INFO("observation " << k << ", time " << 17 * j << ": count " << ref.observation[j] << ", expected " << mean
                          << " ± " << sd);
      // The +1 allows for the counts' discreteness where p is tiny.
      CHECK(std::abs(ref.observation[j] - mean) <= 5.0 * sd + 1.0);
    }
  }
}

TEST_CASE("lotka_volterra observations are log-normal around the ODE solution at the true parameters") {
  double chi2 = 0.0;
  for (int k = 1; k <= 10; ++k) {
    const ReferenceObservation ref = reference("lotka_volterra", k);
    REQUIRE(ref.observation.size() == 20);
    const auto solution = orrery::sbibm::LotkaVolterra::populations(ref.true_parameters);
    for (int j = 0; j < 20; ++j) {
      const double residual = std::log(ref.observation[j]) - std::log(std::clamp(solution[j], 1e-10, 1e4));
      INFO("observation " << k << ", value " << j << ": x_o = " << ref.observation[j] << ", solution "
                          << solution[j]);
      CHECK(std::abs(residual) <= 5.0 * 0.1);
      chi2 += residual * residual / 0.01;
    }
  }
  check_chi_square(chi2, 200.0, "lotka_volterra");
}
