#include "standard_normal.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <numbers>

namespace orrery::core {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Nodes and weights of 16-point Gauss–Legendre quadrature on [-1, 1],
/// computed once by Newton's method on the Legendre recurrence.
struct GaussLegendreRule {
  static constexpr int kPoints = 16;
  std::array<double, kPoints> nodes{};
  std::array<double, kPoints> weights{};
};

const GaussLegendreRule& gauss_legendre_rule() {
  static const GaussLegendreRule rule = [] {
    constexpr int n = GaussLegendreRule::kPoints;
    GaussLegendreRule r;
    for (int i = 0; i < n; ++i) {
      double z = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5));
      double derivative = 0.0;
      for (int iteration = 0; iteration < 100; ++iteration) {
        double previous = 1.0;  // P_{k-1}(z)
        double current = z;     // P_k(z)
        for (int k = 2; k <= n; ++k) {
          const double next = ((2.0 * k - 1.0) * z * current - (k - 1.0) * previous) / k;
          previous = current;
          current = next;
        }
        derivative = n * (z * current - previous) / (z * z - 1.0);
        const double step = current / derivative;
        z -= step;
        if (std::abs(step) < 1e-16) break;
      }
      r.nodes[static_cast<std::size_t>(i)] = z;
      r.weights[static_cast<std::size_t>(i)] = 2.0 / ((1.0 - z * z) * derivative * derivative);
    }
    return r;
  }();
  return rule;
}

/// ∫_{-h}^{h} exp(-m t - t²/2) dt for a narrow interval (h < 1/2, |m| h < 1/2),
/// where the integrand is smooth and 16-point Gauss–Legendre is exact to
/// rounding.
double narrow_integral(double m, double h) {
  const GaussLegendreRule& rule = gauss_legendre_rule();
  double sum = 0.0;
  for (std::size_t i = 0; i < rule.nodes.size(); ++i) {
    const double t = h * rule.nodes[i];
    sum += rule.weights[i] * std::exp(-m * t - 0.5 * t * t);
  }
  return h * sum;
}

}  // namespace

double log_normal_upper_tail(double x) {
  if (x == kInf) return -kInf;
  if (x == -kInf) return 0.0;
  // Q(x) = 1 - Q(-x); log1p keeps the tiny complement exact.
  if (x < -1.0) return std::log1p(-0.5 * std::erfc(-x / std::numbers::sqrt2));
  // erfc keeps full relative accuracy until it nears the subnormal range
  // (x ≈ 37); switch well before that.
  if (x < 30.0) return std::log(0.5 * std::erfc(x / std::numbers::sqrt2));
  // Laplace's continued fraction Q(x) = φ(x) / (x + 1/(x + 2/(x + 3/(x + ...)))),
  // which converges to machine precision within a few terms for x >= 30.
  double denominator = x;
  for (int k = 40; k >= 1; --k) denominator = x + k / denominator;
  return log_normal_pdf(x) - std::log(denominator);
}

double log_normal_interval_mass(double a, double b) {
  if (!(a < b)) return -kInf;
  // By symmetry, work with an interval that reaches into the positive half-line.
  if (b <= 0.0) {
    const double mirrored_lower = -b;
    b = -a;
    a = mirrored_lower;
  }
  const double width = b - a;
  const double middle = 0.5 * (a + b);
  if (width < 1.0 && std::abs(middle) * width < 1.0) {
    // Narrow interval: integrate φ directly, around its midpoint, instead of
    // subtracting two nearly equal tail probabilities.
    return log_normal_pdf(middle) + std::log(narrow_integral(middle, 0.5 * width));
  }
  if (a >= 0.0) {
    // Both ends in the upper tail: Q(a) - Q(b) = Q(a) (1 - Q(b)/Q(a)).
    const double log_qa = log_normal_upper_tail(a);
    const double log_qb = log_normal_upper_tail(b);
    return log_qa + std::log1p(-std::exp(log_qb - log_qa));
  }
  // a < 0 < b: one minus the two tails, each at most 1/2.
  const double tails = std::exp(log_normal_upper_tail(-a)) + std::exp(log_normal_upper_tail(b));
  return std::log1p(-tails);
}

}  // namespace orrery::core
