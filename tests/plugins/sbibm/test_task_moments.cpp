// Moments of each task with a closed-form likelihood, simulated many times at
// a fixed θ, against the analytic mean and covariance (and, for the mixture,
// the fourth moment that shows the component is drawn once per simulation),
// within 4 Monte Carlo standard errors with fixed seeds. bernoulli_glm's mean
// Xᵀ z(θ) is checked the same way.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "bernoulli_glm.hpp"
#include "gaussian_linear.hpp"
#include "gaussian_linear_uniform.hpp"
#include "gaussian_mixture.hpp"
#include "sbibm_test_support.hpp"
#include "slcp.hpp"
#include "support/numerics.hpp"
#include "two_moons.hpp"

using orrery::sbibm::test::build_task;
using orrery::sbibm::test::simulate_many;

namespace {

/// The mean of `values` agrees with `expected` within 4 standard errors.
void check_mean(const Eigen::VectorXd& values, double expected, const std::string& what) {
  const orrery::test::Estimate e = orrery::test::iid_mean(values);
  INFO(what << ": " << e.value << " ± " << e.standard_error << ", expected " << expected);
  CHECK(std::abs(e.value - expected) <= 4.0 * e.standard_error);
}

/// Every mean and every (co)variance of the columns of `x` (dim × n) agrees
/// with the analytic `mean` and `cov` within 4 standard errors. Covariances
/// are averages of (x_i - μ_i)(x_j - μ_j) about the exact mean, so each is an
/// iid mean with its own standard error.
void check_moments(const Eigen::MatrixXd& x, const Eigen::VectorXd& mean, const Eigen::MatrixXd& cov) {
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    check_mean(x.row(i).transpose(), mean[i], "mean " + std::to_string(i));
    for (Eigen::Index j = i; j < x.rows(); ++j) {
      const Eigen::VectorXd products =
          ((x.row(i).array() - mean[i]) * (x.row(j).array() - mean[j])).transpose().matrix();
      check_mean(products, cov(i, j), "covariance " + std::to_string(i) + "," + std::to_string(j));
    }
  }
}

}  // namespace

TEST_CASE("gaussian_linear draws have mean theta and covariance 0.1 I") {
  const auto sim = build_task<orrery::sbibm::GaussianLinear>(10);
  const Eigen::VectorXd theta = Eigen::VectorXd::LinSpaced(10, -0.6, 0.9);
  const Eigen::MatrixXd x = simulate_many(*sim, theta, 40000, 101);
  check_moments(x, theta, 0.1 * Eigen::MatrixXd::Identity(10, 10));
}

TEST_CASE("gaussian_linear_uniform draws have mean theta and covariance 0.1 I") {
  const auto sim = build_task<orrery::sbibm::GaussianLinearUniform>(10);
  const Eigen::VectorXd theta = Eigen::VectorXd::LinSpaced(10, 0.95, -0.95);
  const Eigen::MatrixXd x = simulate_many(*sim, theta, 40000, 102);
  check_moments(x, theta, 0.1 * Eigen::MatrixXd::Identity(10, 10));
}

TEST_CASE("two_moons draws have the analytic mean and covariance") {
  const auto sim = build_task<orrery::sbibm::TwoMoons>(2);
  const Eigen::Vector2d theta(0.3, -0.7);
  // p = (r cos a + 0.25, r sin a) with a ~ U(-π/2, π/2), r ~ N(0.1, 0.01²):
  // E cos a = 2/π, E cos² a = E sin² a = 1/2, E sin a = E sin a cos a = 0.
  const double er = 0.1, er2 = 0.1 * 0.1 + 0.01 * 0.01;
  const double mean_cos = 2.0 / std::numbers::pi;
  const Eigen::Vector2d offset(-std::abs(theta[0] + theta[1]) / std::sqrt(2.0), (theta[1] - theta[0]) / std::sqrt(2.0));
  const Eigen::Vector2d mean = Eigen::Vector2d(er * mean_cos + 0.25, 0.0) + offset;
  Eigen::Matrix2d cov;
  cov << er2 / 2.0 - er * er * mean_cos * mean_cos, 0.0, 0.0, er2 / 2.0;
  const Eigen::MatrixXd x = simulate_many(*sim, theta, 200000, 103);
  check_moments(x, mean, cov);
  // The offset uses |θ₁ + θ₂|: the mirrored θ gives the same first coordinate.
  const Eigen::MatrixXd mirrored = simulate_many(*sim, Eigen::Vector2d(-0.3, 0.7), 20000, 104);
  check_mean(mirrored.row(0).transpose(), mean[0], "mirrored mean 0");
}

TEST_CASE("slcp draws are four iid pairs from N(m and S(theta))") {
  const auto sim = build_task<orrery::sbibm::Slcp>(5);
  Eigen::VectorXd theta(5);
  theta << 0.5, -1.0, 1.2, -0.8, 0.7;
  const Eigen::Matrix2d s = orrery::sbibm::Slcp::covariance(theta);
  // S from its definition: s1 = θ₃², s2 = θ₄², ρ = tanh θ₅.
  const double s1 = 1.44, s2 = 0.64, rho = std::tanh(0.7);
  CHECK(s(0, 0) == Approx(s1 * s1 + 1e-6).epsilon(1e-14));
  CHECK(s(1, 1) == Approx(s2 * s2 + 1e-6).epsilon(1e-14));
  CHECK(s(0, 1) == Approx(rho * s1 * s2).epsilon(1e-14));
  Eigen::VectorXd mean(8);
  Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(8, 8);
  for (int k = 0; k < 4; ++k) {
    mean.segment<2>(2 * k) = theta.head<2>();
    cov.block<2, 2>(2 * k, 2 * k) = s;  // pairs are independent
  }
  const Eigen::MatrixXd x = simulate_many(*sim, theta, 100000, 105);
  check_moments(x, mean, cov);
}

TEST_CASE("gaussian_mixture draws one component per simulation") {
  const auto sim = build_task<orrery::sbibm::GaussianMixture>(2);
  const Eigen::Vector2d theta(2.0, -3.0);
  const Eigen::MatrixXd x = simulate_many(*sim, theta, 200000, 106);
  // Variance ½·1 + ½·0.01 per coordinate, no correlation.
  Eigen::Matrix2d cov = 0.505 * Eigen::Matrix2d::Identity();
  check_moments(x, theta, cov);
  // E[(x₁-θ₁)² (x₂-θ₂)²] = ½·1·1 + ½·0.01·0.01 when both coordinates share the
  // component; drawing a component per coordinate would give 0.505² ≈ 0.255.
  const Eigen::VectorXd products =
      ((x.row(0).array() - theta[0]).square() * (x.row(1).array() - theta[1]).square()).transpose().matrix();
  check_mean(products, 0.5 + 0.5 * 1e-4, "E[(x1 - θ1)² (x2 - θ2)²]");
}

TEST_CASE("bernoulli_glm draws have mean X^T z(theta) and the binomial-sum variance") {
  const auto sim = build_task<orrery::sbibm::BernoulliGlm>(10);
  Eigen::VectorXd theta(10);
  theta << -1.0, 0.8, 1.5, 1.2, 0.3, -0.5, -0.9, -0.7, -0.3, 0.1;
  const auto z = orrery::sbibm::BernoulliGlm::spike_probabilities(theta);
  const auto& design = orrery::sbibm::glm_design();
  const Eigen::VectorXd mean = design.transpose() * z;
  // Bins are independent: Cov(x) = Xᵀ diag(z (1 - z)) X.
  const Eigen::MatrixXd cov = design.transpose() * (z.array() * (1.0 - z.array())).matrix().asDiagonal() * design;
  const Eigen::MatrixXd x = simulate_many(*sim, theta, 40000, 107);
  check_moments(x, mean, cov);
}
