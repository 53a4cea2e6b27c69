#include <Eigen/Dense>
#include <catch2/catch.hpp>

#include "cosmo_core/gaussian_covariance.hpp"

using namespace orrery::cosmo;

TEST_CASE("a single tracer's C_ell variance is the Knox formula", "[covariance]") {
  Eigen::MatrixXd cl(1, 3);
  cl << 1e-8, 5e-9, 2e-9;
  Eigen::VectorXd ell(3), width(3);
  ell << 10, 100, 1000;
  width << 5, 50, 500;
  const double noise = 0.26 * 0.26 / per_arcmin2_to_per_sr(10.0);
  const GaussianCovariance cov(cl, {noise}, ell, width, 0.4);
  for (int l = 0; l < 3; ++l)
    CHECK(cov.block(l)(0, 0) == Approx(2 * std::pow(cl(0, l) + noise, 2) / ((2 * ell[l] + 1) * width[l] * 0.4)).epsilon(1e-14));
}

TEST_CASE("two tracers: cross terms, dense form, solves and log-determinant", "[covariance]") {
  // Pairs (0,0), (0,1), (1,1).
  Eigen::MatrixXd cl(3, 2);
  cl << 4.0, 2.0, 1.0, 0.5, 3.0, 1.0;
  Eigen::VectorXd ell(2), width(2);
  ell << 2, 3;
  width << 1, 1;
  const GaussianCovariance cov(cl, {0.5, 0.25}, ell, width, 1.0);
  REQUIRE(cov.pairs() == std::vector<std::pair<int, int>>{{0, 0}, {0, 1}, {1, 1}});
  // Var(C^{01}) = (Ĉ00 Ĉ11 + Ĉ01²) / (2ℓ+1)
  CHECK(cov.block(0)(1, 1) == Approx((4.5 * 3.25 + 1.0) / 5.0));
  // Cov(C^{00}, C^{11}) = 2 Ĉ01² / (2ℓ+1)
  CHECK(cov.block(0)(0, 2) == Approx(2 * 1.0 / 5.0));
  const Eigen::MatrixXd dense = cov.dense();
  CHECK(dense.rows() == 6);
  CHECK(dense(cov.index(0, 0), cov.index(0, 1)) == 0.0);  // different ell: independent
  Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(6, 1.0, 2.0);
  CHECK((cov.solve(x) - dense.ldlt().solve(x)).norm() < 1e-12 * x.norm() * 10);
  CHECK(cov.log_determinant() == Approx(std::log(dense.determinant())).epsilon(1e-12));
}

TEST_CASE("an indefinite covariance is a clear error", "[covariance]") {
  // A cross-spectrum larger than the geometric mean of the autos is unphysical.
  Eigen::MatrixXd cl(3, 1);
  cl << 1.0, 5.0, 1.0;
  Eigen::VectorXd ell(1), width(1);
  ell << 10;
  width << 1;
  CHECK_THROWS_WITH(GaussianCovariance(cl, {0.0, 0.0}, ell, width, 0.5), Catch::Contains("not positive definite"));
  CHECK_THROWS_WITH(GaussianCovariance(cl, {0.1, 0.1}, ell, width, 1.5), Catch::Contains("f_sky"));
}
