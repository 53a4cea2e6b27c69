// nde.gmm (EM Gaussian mixture conditioned analytically): exact recovery of a
// jointly Gaussian conditional, normalisation, gradients, sampling, save/load.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "estimator_checks.hpp"
#include "gaussian_mixture.hpp"

using namespace orrery;
using namespace orrery::nde::test;
using orrery::test::build;

namespace {

orrery::test::Built<nde::GaussianMixture> gmm(std::int64_t components) {
  return build<nde::GaussianMixture>({{"components", Value(components)}});
}

orrery::test::Built<nde::GaussianMixture> fitted_gmm(std::int64_t components) {
  auto q = gmm(components);
  fit_gaussian(*q, *q.context, 3000, 31);
  return q;
}

}  // namespace

TEST_CASE("gmm with one component recovers a jointly Gaussian conditional") {
  // b ~ N(m_b, S_b) in 2-D and a = A b + c + L e: the joint is Gaussian, so
  // a | b ~ N(A b + c, L Lᵀ) exactly and one EM component is the right model.
  Eigen::Matrix2d A, L, Lb;
  A << 1.0, -0.5, 0.2, 0.8;
  L << 0.5, 0.0, 0.3, 0.4;
  Lb << 1.0, 0.0, 0.3, 0.6;
  const Eigen::Vector2d c(0.5, -1.0), mb(0.2, -0.4);
  const Eigen::Index n = 100000;
  RandomStream rng(41);
  Eigen::MatrixXd a(2, n), b(2, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    b.col(i) = mb + Lb * Eigen::Vector2d(rng.normal(), rng.normal());
    a.col(i) = A * b.col(i) + c + L * Eigen::Vector2d(rng.normal(), rng.normal());
  }
  auto q = gmm(1);
  q->fit(a, b, *q.context);
  const Eigen::Vector2d bstar(0.5, -0.3);
  const nde::ConditionalMixture cm = q->conditional(bstar);
  REQUIRE(cm.weights.size() == 1);
  CHECK(std::abs(cm.weights(0) - 1.0) < 1e-12);
  const Eigen::Vector2d true_mean = A * bstar + c;
  const Eigen::Matrix2d true_cov = L * L.transpose();
  // Standard errors of a least-squares prediction at b* and of sample covariances.
  const Eigen::Vector2d d = Lb.triangularView<Eigen::Lower>().solve(bstar - mb);
  const double leverage = 1.0 + d.squaredNorm();
  for (int j = 0; j < 2; ++j) {
    const double se = std::sqrt(true_cov(j, j) * leverage / static_cast<double>(n));
    std::printf("nde.gmm conditional mean[%d]: %.6f vs truth %.6f (5 SE = %.2g)\n", j, cm.means[0](j), true_mean(j),
                5 * se);
    CHECK(std::abs(cm.means[0](j) - true_mean(j)) < 5 * se);
    for (int k = 0; k < 2; ++k) {
      const double se_cov =
          std::sqrt((true_cov(j, j) * true_cov(k, k) + true_cov(j, k) * true_cov(j, k)) / static_cast<double>(n));
      std::printf("nde.gmm conditional cov[%d,%d]: %.6f vs truth %.6f (5 SE = %.2g)\n", j, k, cm.covariances[0](j, k),
                  true_cov(j, k), 5 * se_cov);
      CHECK(std::abs(cm.covariances[0](j, k) - true_cov(j, k)) < 5 * se_cov);
    }
  }
}

TEST_CASE("gmm log_prob integrates to one over a") {
  auto q = fitted_gmm(3);
  for (double b : {-0.7, 0.4}) {
    const double mass = integrate_2d(*q, b, -5.0, 5.0, 400);
    std::printf("nde.gmm normalisation at b = %g: %.8f\n", b, mass);
    CHECK(std::abs(mass - 1.0) < 1e-4);
  }
}

TEST_CASE("gmm log_prob_gradient matches finite differences in a and b") {
  auto q = fitted_gmm(3);
  RandomStream rng(3);
  Eigen::MatrixXd a, b;
  ConditionalGaussian::draw(20, rng, a, b);
  const double error = gradient_error(*q, a, b);
  std::printf("nde.gmm gradient max relative error: %.3g\n", error);
  CHECK(error < 1e-6);
}

TEST_CASE("gmm samples follow log_prob") {
  auto q = fitted_gmm(3);
  check_sample_moments(*q, 0.3, 20000, 8);
}

TEST_CASE("gmm fit is deterministic for a seed and reports its fit") {
  auto q1 = fitted_gmm(3);
  auto q2 = fitted_gmm(3);
  RandomStream rng(5);
  Eigen::MatrixXd a, b;
  ConditionalGaussian::draw(30, rng, a, b);
  Eigen::VectorXd l1(30), l2(30);
  q1->log_prob(a, b, l1);
  q2->log_prob(a, b, l2);
  CHECK((l1.array() == l2.array()).all());
  CHECK_FALSE(q1.context->log().messages().empty());
}

TEST_CASE("gmm save then load gives identical log_prob and a mismatched file is refused") {
  auto q = fitted_gmm(3);
  const auto dir = std::filesystem::temp_directory_path() / "orrery-test-nde-gmm";
  auto fresh = gmm(3);
  check_round_trip(*q, *fresh, dir);
  auto other = gmm(4);
  try {
    other->load(dir);
    FAIL("loading a file saved with another component count must throw");
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("components") != std::string::npos);
  }
  CHECK_FALSE(other->fitted());
  std::filesystem::remove_all(dir);
}
