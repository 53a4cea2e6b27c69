#include "calibration/incomplete_gamma.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "orrery/error.hpp"

namespace orrery::calibration {

namespace {

constexpr int kMaxIterations = 1000000;
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kTiny = std::numeric_limits<double>::min() / kEps;

[[noreturn]] void no_convergence(double a, double x) {
  throw Error("calibration: regularized_gamma_q(" + std::to_string(a) + ", " + std::to_string(x) +
              "): the expansion did not converge");
}

// log of x^a e^{−x} / Γ(a).
double log_prefactor(double a, double x) { return a * std::log(x) - x - std::lgamma(a); }

// P(a, x) by its series, for x < a + 1.
double lower_series(double a, double x) {
  double ap = a, term = 1.0 / a, sum = term;
  for (int i = 0; i < kMaxIterations; ++i) {
    ap += 1.0;
    term *= x / ap;
    sum += term;
    if (std::abs(term) < std::abs(sum) * kEps) return sum * std::exp(log_prefactor(a, x));
  }
  no_convergence(a, x);
}

// Q(a, x) by its continued fraction (modified Lentz), for x ≥ a + 1.
double upper_fraction(double a, double x) {
  double b = x + 1.0 - a, c = 1.0 / kTiny, d = 1.0 / b, h = d;
  for (int i = 1; i < kMaxIterations; ++i) {
    const double an = -static_cast<double>(i) * (static_cast<double>(i) - a);
    b += 2.0;
    d = an * d + b;
    if (std::abs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1.0) < kEps) return std::exp(log_prefactor(a, x)) * h;
  }
  no_convergence(a, x);
}

}  // namespace

double regularized_gamma_q(double a, double x) {
  if (!(a > 0.0) || !std::isfinite(a))
    throw Error("calibration: regularized_gamma_q: needs a finite a > 0, got a = " + std::to_string(a));
  if (!(x >= 0.0)) throw Error("calibration: regularized_gamma_q: needs x >= 0, got x = " + std::to_string(x));
  if (x == 0.0) return 1.0;
  if (std::isinf(x)) return 0.0;
  if (x < a + 1.0) return std::fmin(1.0, std::fmax(0.0, 1.0 - lower_series(a, x)));
  return std::fmin(1.0, std::fmax(0.0, upper_fraction(a, x)));
}

double chi_square_pvalue(double x, double dof) {
  if (!(dof > 0.0)) throw Error("calibration: chi_square_pvalue: needs dof > 0, got " + std::to_string(dof));
  if (std::isnan(x)) throw Error("calibration: chi_square_pvalue: the statistic is NaN");
  if (x <= 0.0) return 1.0;
  return regularized_gamma_q(0.5 * dof, 0.5 * x);
}

}  // namespace orrery::calibration
