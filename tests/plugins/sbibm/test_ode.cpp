// The Dormand–Prince 5(4) integrator against analytic solutions: global error
// below 100·(rtol·|y| + atol) at rtol = atol = 1e-8 for exponential decay and
// a harmonic oscillator over ten periods, error falling with the tolerance,
// the exact invariants of the SIR and Lotka–Volterra systems, and failures
// (finite-time blow-up, non-finite derivatives, too many steps, bad input).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numbers>

#include "ode.hpp"

using orrery::sbibm::OdeFailure;
using orrery::sbibm::OdeOptions;
using orrery::sbibm::OdeRhs;
using orrery::sbibm::OdeStats;
using orrery::sbibm::solve_dopri5;

namespace {

constexpr double kTol = 1e-8;  // sbibm's rtol = atol

Eigen::VectorXd linspace(int n, double lo, double hi) { return Eigen::VectorXd::LinSpaced(n, lo, hi); }

/// Largest |y - exact| / (rtol·|exact| + atol) over every output.
double worst_scaled_error(const Eigen::MatrixXd& y, const Eigen::MatrixXd& exact, double tol) {
  return ((y - exact).array().abs() / (tol * exact.array().abs() + tol)).maxCoeff();
}

/// Harmonic oscillator x'' = -ω² x, x(0) = 1, x'(0) = 0 (period 1), solved at
/// `tol`; returns the worst scaled error over ten periods.
double oscillator_error(double tol) {
  const double omega = 2.0 * std::numbers::pi;
  const OdeRhs f = [omega](double, const Eigen::Ref<const Eigen::VectorXd>& y, Eigen::Ref<Eigen::VectorXd> d) {
    d[0] = y[1];
    d[1] = -omega * omega * y[0];
  };
  const Eigen::VectorXd times = linspace(41, 0.0, 10.0);
  Eigen::MatrixXd y(2, times.size()), exact(2, times.size());
  OdeOptions options;
  options.rtol = options.atol = tol;
  solve_dopri5(f, 0.0, Eigen::Vector2d(1.0, 0.0), times, y, options);
  for (Eigen::Index k = 0; k < times.size(); ++k) {
    exact(0, k) = std::cos(omega * times[k]);
    exact(1, k) = -omega * std::sin(omega * times[k]);
  }
  // Scale by the amplitude of each component (1 and ω): the solution passes
  // through zero, where a pointwise relative error means nothing.
  Eigen::MatrixXd scaled_error = (y - exact).array().abs();
  scaled_error.row(1) /= omega;
  return scaled_error.maxCoeff() / tol;
}

}  // namespace

TEST_CASE("dopri5 exponential decay has global error below 100 tolerances") {
  // y' = -λ y for three rates at once, over [0, 10].
  const Eigen::Vector3d rate(1.0, 0.1, 3.0);
  const OdeRhs f = [&rate](double, const Eigen::Ref<const Eigen::VectorXd>& y, Eigen::Ref<Eigen::VectorXd> d) {
    d = -rate.cwiseProduct(y);
  };
  const Eigen::VectorXd times = linspace(21, 0.0, 10.0);
  Eigen::MatrixXd y(3, times.size()), exact(3, times.size());
  const OdeStats stats = solve_dopri5(f, 0.0, Eigen::Vector3d(1.0, 2.0, 0.5), times, y);
  for (Eigen::Index k = 0; k < times.size(); ++k)
    exact.col(k) = Eigen::Vector3d(1.0, 2.0, 0.5).cwiseProduct((-rate * times[k]).array().exp().matrix());
  const double worst = worst_scaled_error(y, exact, kTol);
  INFO("worst |error| / (rtol |y| + atol) = " << worst << " with " << stats.accepted << " steps");
  CHECK(worst < 100.0);
  CHECK(stats.accepted > 0);
  CHECK(stats.evaluations >= 6 * stats.accepted);
  CHECK(y.col(0) == Eigen::Vector3d(1.0, 2.0, 0.5));  // t = t0 returns y0 exactly
}

TEST_CASE("dopri5 harmonic oscillator over ten periods has global error below 100 tolerances") {
  const double worst = oscillator_error(kTol);
  INFO("worst |error| / (tol · amplitude) = " << worst);
  CHECK(worst < 100.0);
}

TEST_CASE("dopri5 global error falls with the tolerance") {
  // A 5th-order method with error-per-step control: absolute error roughly
  // proportional to the tolerance, so 1e4 tighter gives ≥ 100 times smaller.
  const double loose = oscillator_error(1e-6) * 1e-6;
  const double tight = oscillator_error(1e-10) * 1e-10;
  INFO("error at tol 1e-6: " << loose << ", at 1e-10: " << tight);
  CHECK(tight < loose / 100.0);
}

TEST_CASE("dopri5 SIR keeps S + I + R = N and the exact S-R relation") {
  // For SIR, dS/dR = -β S / (γ N), so S(t) = S(0) exp(-β R(t) / (γ N)) exactly.
  const double n = 1e6, beta = 0.6, gamma = 0.19;
  const OdeRhs f = [&](double, const Eigen::Ref<const Eigen::VectorXd>& y, Eigen::Ref<Eigen::VectorXd> d) {
    const double infection = beta * y[0] * y[1] / n;
    d[0] = -infection;
    d[1] = infection - gamma * y[1];
    d[2] = gamma * y[1];
  };
  const Eigen::VectorXd times = linspace(161, 0.0, 160.0);
  Eigen::MatrixXd y(3, times.size());
  solve_dopri5(f, 0.0, Eigen::Vector3d(n - 1.0, 1.0, 0.0), times, y);
  for (Eigen::Index k = 0; k < times.size(); ++k) {
    // A linear invariant is kept by every Runge–Kutta method up to rounding.
    CHECK(std::abs(y.col(k).sum() - n) < 1e-6);
    const double s_exact = (n - 1.0) * std::exp(-beta * y(2, k) / (gamma * n));
    CHECK(std::abs(y(0, k) - s_exact) < 100.0 * (kTol * s_exact + kTol));
  }
  CHECK(y.row(1).maxCoeff() > 1e5);  // the epidemic did take off
}

TEST_CASE("dopri5 Lotka-Volterra keeps its first integral") {
  // V = δ u - γ ln u + β v - α ln v is constant along solutions.
  const double alpha = 0.7, beta = 0.11, gamma = 0.9, delta = 0.12;
  const OdeRhs f = [&](double, const Eigen::Ref<const Eigen::VectorXd>& y, Eigen::Ref<Eigen::VectorXd> d) {
    d[0] = alpha * y[0] - beta * y[0] * y[1];
    d[1] = -gamma * y[1] + delta * y[0] * y[1];
  };
  const auto invariant = [&](double u, double v) {
    return delta * u - gamma * std::log(u) + beta * v - alpha * std::log(v);
  };
  const Eigen::VectorXd times = linspace(201, 0.0, 20.0);
  Eigen::MatrixXd y(2, times.size());
  solve_dopri5(f, 0.0, Eigen::Vector2d(30.0, 1.0), times, y);
  const double v0 = invariant(30.0, 1.0);
  double worst = 0.0;
  for (Eigen::Index k = 0; k < times.size(); ++k) worst = std::max(worst, std::abs(invariant(y(0, k), y(1, k)) - v0));
  INFO("largest drift of the first integral: " << worst << " (V = " << v0 << ")");
  CHECK(worst < 100.0 * kTol * std::abs(v0));
}

TEST_CASE("dopri5 throws OdeFailure on finite-time blow-up") {
  // y' = y², y(0) = 1 has y = 1 / (1 - t), which leaves the reals at t = 1.
  const OdeRhs f = [](double, const Eigen::Ref<const Eigen::VectorXd>& y, Eigen::Ref<Eigen::VectorXd> d) {
    d[0] = y[0] * y[0];
  };
  Eigen::MatrixXd y(1, 2);
  CHECK_THROWS_AS(solve_dopri5(f, 0.0, Eigen::VectorXd::Ones(1), Eigen::Vector2d(0.5, 2.0), y), OdeFailure);
  // Before the singularity the solution is accurate.
  Eigen::MatrixXd before(1, 1);
  solve_dopri5(f, 0.0, Eigen::VectorXd::Ones(1), Eigen::VectorXd::Constant(1, 0.5), before);
  CHECK(std::abs(before(0, 0) - 2.0) < 100.0 * (kTol * 2.0 + kTol));
}

TEST_CASE("dopri5 throws OdeFailure for a non-finite derivative") {
  const OdeRhs nan_everywhere = [](double, const Eigen::Ref<const Eigen::VectorXd>&, Eigen::Ref<Eigen::VectorXd> d) {
    d.setConstant(std::numeric_limits<double>::quiet_NaN());
  };
  const OdeRhs nan_later = [](double t, const Eigen::Ref<const Eigen::VectorXd>&, Eigen::Ref<Eigen::VectorXd> d) {
    d.setConstant(t < 1.0 ? 1.0 : std::numeric_limits<double>::quiet_NaN());
  };
  Eigen::MatrixXd y(1, 1);
  const Eigen::VectorXd end = Eigen::VectorXd::Constant(1, 2.0);
  CHECK_THROWS_AS(solve_dopri5(nan_everywhere, 0.0, Eigen::VectorXd::Ones(1), end, y), OdeFailure);
  CHECK_THROWS_WITH(solve_dopri5(nan_later, 0.0, Eigen::VectorXd::Ones(1), end, y),
                    Catch::Contains("non-finite"));
  CHECK_THROWS_AS(solve_dopri5(nan_later, 0.0, Eigen::VectorXd::Constant(1, std::nan("")), end, y), OdeFailure);
}

TEST_CASE("dopri5 throws OdeFailure when it needs more than max_steps") {
  const OdeRhs fast = [](double, const Eigen::Ref<const Eigen::VectorXd>& y, Eigen::Ref<Eigen::VectorXd> d) {
    d[0] = y[1];
    d[1] = -1e6 * y[0];  // period 2π / 1000: about 160 oscillations on [0, 1]
  };
  OdeOptions options;
  options.max_steps = 100;
  Eigen::MatrixXd y(2, 1);
  CHECK_THROWS_WITH(solve_dopri5(fast, 0.0, Eigen::Vector2d(1.0, 0.0), Eigen::VectorXd::Ones(1), y, options),
                    Catch::Contains("more than 100 steps"));
}

TEST_CASE("dopri5 rejects invalid arguments") {
  const OdeRhs f = [](double, const Eigen::Ref<const Eigen::VectorXd>& y, Eigen::Ref<Eigen::VectorXd> d) { d = -y; };
  Eigen::MatrixXd y(1, 2);
  CHECK_THROWS_AS(solve_dopri5(f, 0.0, Eigen::VectorXd::Ones(1), Eigen::Vector2d(2.0, 1.0), y), orrery::Error);
  CHECK_THROWS_AS(solve_dopri5(f, 1.0, Eigen::VectorXd::Ones(1), Eigen::Vector2d(0.5, 2.0), y), orrery::Error);
  Eigen::MatrixXd wrong(2, 2);
  CHECK_THROWS_AS(solve_dopri5(f, 0.0, Eigen::VectorXd::Ones(1), Eigen::Vector2d(1.0, 2.0), wrong), orrery::Error);
  OdeOptions bad;
  bad.rtol = 0.0;
  CHECK_THROWS_AS(solve_dopri5(f, 0.0, Eigen::VectorXd::Ones(1), Eigen::Vector2d(1.0, 2.0), y, bad), orrery::Error);
}
