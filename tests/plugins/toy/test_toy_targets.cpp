// The toy plugin's benchmark densities: gradients against finite differences,
// the documented exact moments against quadrature of the implemented
// log-density, the Gaussian's spectrum and rotation, and option checks.
#include <catch2/catch.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "banana_target.hpp"
#include "funnel_target.hpp"
#include "gaussian_target.hpp"
#include "rosenbrock_target.hpp"
#include "support/numerics.hpp"
#include "support/test_context.hpp"

using orrery::ValueTable;
using orrery::test::build;
using orrery::toy::BananaTarget;
using orrery::toy::FunnelTarget;
using orrery::toy::GaussianTarget;
using orrery::toy::RosenbrockTarget;
using orrery::toy::ToyTarget;

namespace {

/// The gradient at initial points and at points spread over the bulk agrees
/// with central differences of log_density, and both methods give one value.
void check_gradient(const ToyTarget& target, std::uint64_t seed) {
  orrery::RandomStream rng(seed);
  const Eigen::Index d = static_cast<Eigen::Index>(target.space().dimension());
  Eigen::VectorXd x(d), grad(d);
  for (int trial = 0; trial < 6; ++trial) {
    target.initial_point(rng, x);
    if (trial % 2) x = target.exact_mean() + 0.5 * (x - target.exact_mean());  // nearer the mode
    const double value = target.log_density_gradient(x, grad);
    CHECK(value == Approx(target.log_density(x)).epsilon(1e-12));
    const Eigen::VectorXd fd = orrery::test::finite_difference_gradient(
        [&](const Eigen::VectorXd& p) { return target.log_density(p); }, x, 1e-6);
    const double scale = std::max(1.0, fd.cwiseAbs().maxCoeff());
    for (Eigen::Index i = 0; i < d; ++i) {
      INFO("trial " << trial << ", coordinate " << i << " at " << x.transpose());
      CHECK(grad[i] == Approx(fd[i]).epsilon(1e-6).margin(1e-6 * scale));
    }
  }
}

/// Moments of a 2-D density from nested Simpson quadrature: ∫dx1 ∫dx2 with
/// the inner range [centre(x1) − width(x1), centre(x1) + width(x1)].
struct Moments2 {
  Eigen::Vector2d mean, sd;
};
Moments2 quadrature_moments(const ToyTarget& target, double x1_lo, double x1_hi,
                            const std::function<double(double)>& centre, const std::function<double(double)>& width,
                            int outer = 6000, int inner = 600) {
  double m[5] = {};  // Z, E[x1], E[x2], E[x1²], E[x2²] (unnormalised)
  for (int k = 0; k < 5; ++k) {
    m[k] = orrery::test::integrate(
        [&](double x1) {
          const double c = centre(x1), w = width(x1);
          return orrery::test::integrate(
              [&](double x2) {
                const double p = std::exp(target.log_density(Eigen::Vector2d(x1, x2)));
                const double f[5] = {1.0, x1, x2, x1 * x1, x2 * x2};
                return p * f[k];
              },
              c - w, c + w, inner);
        },
        x1_lo, x1_hi, outer);
  }
  Moments2 r;
  r.mean = Eigen::Vector2d(m[1] / m[0], m[2] / m[0]);
  r.sd = Eigen::Vector2d(std::sqrt(m[3] / m[0] - r.mean[0] * r.mean[0]),
                         std::sqrt(m[4] / m[0] - r.mean[1] * r.mean[1]));
  return r;
}

void check_moments(const Moments2& quadrature, const ToyTarget& target, double tolerance) {
  for (int i = 0; i < 2; ++i) {
    INFO("coordinate " << i << ": quadrature mean " << quadrature.mean[i] << ", sd " << quadrature.sd[i]
                       << "; documented " << target.exact_mean()[i] << ", " << target.exact_sd()[i]);
    CHECK(quadrature.mean[i] == Approx(target.exact_mean()[i]).margin(tolerance * target.exact_sd()[i]));
    CHECK(quadrature.sd[i] == Approx(target.exact_sd()[i]).epsilon(tolerance));
  }
}

}  // namespace

TEST_CASE("toy targets: gradients agree with finite differences", "[toy]") {
  SECTION("gaussian, 100-D, condition number 1e4") { check_gradient(*build<GaussianTarget>({}), 1); }
  SECTION("gaussian, isotropic") {
    check_gradient(*build<GaussianTarget>({{"dimension", 7}, {"condition_number", 1.0}, {"mean", 2.5}}), 2);
  }
  SECTION("funnel") { check_gradient(*build<FunnelTarget>({}), 3); }
  SECTION("banana") {
    check_gradient(*build<BananaTarget>({}), 4);
    check_gradient(*build<BananaTarget>({{"dimension", 5}, {"b", 0.03}}), 5);
  }
  SECTION("rosenbrock") { check_gradient(*build<RosenbrockTarget>({}), 6); }
}

TEST_CASE("toy targets: parameter spaces", "[toy]") {
  CHECK(build<GaussianTarget>({})->space().element_names().size() == 100);
  CHECK(build<GaussianTarget>({})->space().element_names().back() == "x100");
  const auto funnel = build<FunnelTarget>({});
  CHECK(funnel->space().element_names() ==
        std::vector<std::string>{"v", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"});
  CHECK(build<BananaTarget>({{"dimension", 3}})->space().element_names() == std::vector<std::string>{"x1", "x2", "x3"});
  CHECK(build<RosenbrockTarget>({})->space().element_names() == std::vector<std::string>{"x1", "x2"});
}

TEST_CASE("toy.rosenbrock: the documented moments match quadrature", "[toy]") {
  const auto target = build<RosenbrockTarget>({});
  // x2 | x1 has sd 1/sqrt(10): ±4 around the ridge x2 = x1² holds all of it;
  // x1 is N(1, 10): ±40 is 12.6 sd.
  const Moments2 q = quadrature_moments(
      *target, 1.0 - 40.0, 1.0 + 40.0, [](double x1) { return x1 * x1; }, [](double) { return 4.0; });
  WARN("rosenbrock by quadrature: mean (" << q.mean[0] << ", " << q.mean[1] << "), sd (" << q.sd[0] << ", " << q.sd[1]
                                          << ")");
  check_moments(q, *target, 1e-7);
  CHECK(target->exact_mean()[1] == 11.0);
  CHECK(target->exact_sd()[1] == Approx(15.4952).epsilon(1e-5));
}

TEST_CASE("toy.banana: the documented moments match quadrature", "[toy]") {
  for (double b : {0.1, 0.03}) {
    const auto target = build<BananaTarget>({{"b", b}});
    // x2 | x1 ~ N(−b (x1² − 100), 1); x1 ~ N(0, 100).
    const Moments2 q = quadrature_moments(
        *target, -130.0, 130.0, [b](double x1) { return -b * (x1 * x1 - 100.0); }, [](double) { return 12.0; });
    INFO("b = " << b);
    check_moments(q, *target, 1e-7);
  }
  CHECK(build<BananaTarget>({})->exact_sd()[1] == Approx(std::sqrt(201.0)).epsilon(1e-14));
  const auto wide = build<BananaTarget>({{"dimension", 4}});
  CHECK(wide->exact_sd()[3] == 1.0);
}

TEST_CASE("toy.funnel: the documented moments match quadrature", "[toy]") {
  // The (v, x1) marginal of the d-dimensional funnel is the 2-D funnel.
  const auto target = build<FunnelTarget>({{"dimension", 2}});
  const Moments2 q = quadrature_moments(
      *target, -36.0, 36.0, [](double) { return 0.0; }, [](double v) { return 12.0 * std::exp(v / 2.0); }, 8000, 600);
  WARN("funnel by quadrature: sd (v, x1) = (" << q.sd[0] << ", " << q.sd[1] << "), e^(9/4) = " << std::exp(2.25));
  check_moments(q, *target, 1e-6);
  const auto ten = build<FunnelTarget>({});
  CHECK(ten->exact_sd()[0] == 3.0);
  CHECK(ten->exact_sd()[9] == Approx(std::exp(2.25)).epsilon(1e-15));
}

TEST_CASE("toy.gaussian: spectrum, rotation and determinism", "[toy]") {
  const auto target = build<GaussianTarget>({{"seed", 7}});
  const Eigen::MatrixXd cov = target->covariance();
  REQUIRE(cov.rows() == 100);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
  const Eigen::VectorXd lambda = eig.eigenvalues();  // ascending
  CHECK(lambda.maxCoeff() / lambda.minCoeff() == Approx(1e4).epsilon(1e-8));
  CHECK(lambda[0] == Approx(1e-2).epsilon(1e-8));
  CHECK(lambda[99] == Approx(1e2).epsilon(1e-8));
  CHECK(lambda[50] / lambda[49] == Approx(std::pow(1e4, 1.0 / 99.0)).epsilon(1e-8));  // log-spaced
  // Rotated: far from diagonal, every coordinate mixes many eigen-directions.
  CHECK(cov.diagonal().maxCoeff() / cov.diagonal().minCoeff() < 10.0);
  CHECK((cov - Eigen::MatrixXd(cov.diagonal().asDiagonal())).cwiseAbs().maxCoeff() > 1.0);
  CHECK(target->exact_sd() == cov.diagonal().cwiseSqrt());

  // The density is the Gaussian of this covariance, checked with an independent solve.
  const Eigen::LLT<Eigen::MatrixXd> llt(cov);
  orrery::RandomStream rng(3);
  Eigen::VectorXd a(100), b(100);
  target->initial_point(rng, a);
  target->initial_point(rng, b);
  const double quad_a = a.dot(llt.solve(a)), quad_b = b.dot(llt.solve(b));
  CHECK(target->log_density(a) - target->log_density(b) == Approx(-0.5 * (quad_a - quad_b)).epsilon(1e-9));

  // The rotation depends on `seed` only, not on the analysis seed.
  CHECK(build<GaussianTarget>({{"seed", 7}}, {}, 999)->covariance() == cov);
  CHECK(build<GaussianTarget>({{"seed", 8}})->covariance() != cov);

  // condition_number = 1 is the standard normal (shifted by `mean`).
  const auto iso = build<GaussianTarget>({{"dimension", 1000}, {"condition_number", 1.0}, {"mean", -1.0}});
  CHECK(iso->covariance() == Eigen::MatrixXd::Identity(1000, 1000));
  const Eigen::VectorXd x = Eigen::VectorXd::Constant(1000, 1.0);
  CHECK(iso->log_density(x) == Approx(-0.5 * 4.0 * 1000));
}

TEST_CASE("toy targets: non-finite input is a rejection, not a crash", "[toy]") {
  const auto funnel = build<FunnelTarget>({});
  Eigen::VectorXd x = Eigen::VectorXd::Zero(10);
  x[0] = -800.0;  // e^(−v) overflows
  x[1] = 1.0;
  CHECK_FALSE(std::isfinite(funnel->log_density(x)));
  x[0] = std::numeric_limits<double>::quiet_NaN();
  CHECK_FALSE(std::isfinite(funnel->log_density(x)));
}

TEST_CASE("toy targets: option checks", "[toy]") {
  using orrery::test::config_error_message;
  CHECK_THAT(config_error_message([] { build<GaussianTarget>({{"dimension", 1}}); }),
             Catch::Contains("option 'condition_number'") && Catch::Contains("dimension 1"));
  CHECK(config_error_message([] { build<GaussianTarget>({{"dimension", 1}, {"condition_number", 1.0}}); }).empty());
  CHECK_THAT(config_error_message([] { build<GaussianTarget>({{"condition_number", 0.5}}); }),
             Catch::Contains("condition_number"));
  CHECK_THAT(config_error_message([] { build<GaussianTarget>({{"mean", std::numeric_limits<double>::infinity()}}); }),
             Catch::Contains("option 'mean'") && Catch::Contains("finite"));
  CHECK_THAT(config_error_message([] { build<FunnelTarget>({{"dimension", 1}}); }), Catch::Contains("dimension"));
  CHECK_THAT(config_error_message([] { build<BananaTarget>({{"b", -std::numeric_limits<double>::infinity()}}); }),
             Catch::Contains("option 'b'"));
  CHECK_THAT(config_error_message([] { build<RosenbrockTarget>({{"dimension", 3}}); }), Catch::Contains("dimension"));
}
