// Fixed quadrature rules (nodes and weights in double) for the spectral
// integrals of cosmo_core. The nodes never depend on the cosmology, so an
// integral written as Σ w_i f_S(x_i) in S arithmetic is a smooth function of
// the parameters and its Dual derivative is the exact derivative of the rule.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

namespace orrery::cosmo {

/// Nodes x_i and weights w_i with ∫ f dx ≈ Σ w_i f(x_i).
struct QuadratureRule {
  std::vector<double> x;
  std::vector<double> w;
  std::size_t size() const { return x.size(); }
};

/// n-point Gauss–Legendre rule on [-1, 1] (exact for polynomials of degree
/// 2n-1). Nodes from Newton's method on the Legendre recurrence.
inline QuadratureRule gauss_legendre(int n) {
  if (n < 1 || n > 256) throw std::invalid_argument("gauss_legendre: n = " + std::to_string(n) + ", expected 1..256");
  QuadratureRule rule;
  rule.x.resize(static_cast<std::size_t>(n));
  rule.w.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < (n + 1) / 2; ++i) {
    double x = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5));  // asymptotic guess for root i
    double dp = 1.0;
    for (int it = 0; it < 100; ++it) {
      double p0 = 1.0, p1 = x;  // P_0, P_1
      for (int j = 2; j <= n; ++j) {
        const double p2 = ((2.0 * j - 1.0) * x * p1 - (j - 1.0) * p0) / j;
        p0 = p1;
        p1 = p2;
      }
      dp = n * (x * p1 - p0) / (x * x - 1.0);  // P_n'(x)
      const double dx = p1 / dp;
      x -= dx;
      if (std::abs(dx) < 1e-15) break;
    }
    const double w = 2.0 / ((1.0 - x * x) * dp * dp);
    const auto lo = static_cast<std::size_t>(i), hi = static_cast<std::size_t>(n - 1 - i);
    rule.x[lo] = -x;
    rule.x[hi] = x;
    rule.w[lo] = rule.w[hi] = w;
  }
  return rule;
}

/// Composite Gauss–Legendre rule: [a, b] cut into `panels` equal panels with
/// an `order`-point rule on each. Nodes ascend.
inline QuadratureRule composite_gauss_legendre(double a, double b, int panels, int order) {
  if (!(b > a) || panels < 1)
    throw std::invalid_argument("composite_gauss_legendre: need b > a and panels >= 1, got [" + std::to_string(a) +
                                ", " + std::to_string(b) + "], " + std::to_string(panels) + " panels");
  const QuadratureRule base = gauss_legendre(order);
  QuadratureRule rule;
  const double width = (b - a) / panels;
  for (int p = 0; p < panels; ++p) {
    const double mid = a + (p + 0.5) * width;
    for (std::size_t i = 0; i < base.size(); ++i) {
      rule.x.push_back(mid + 0.5 * width * base.x[i]);
      rule.w.push_back(0.5 * width * base.w[i]);
    }
  }
  return rule;
}

/// Composite Gauss–Legendre rule for ∫ f(x) dln x over [x_lo, x_hi] (x_lo > 0):
/// panels in u = ln x no wider than `max_ln_width`, and narrowed where f
/// oscillates so that each panel spans at most one period: period(x) returns
/// the shortest oscillation period of f near x, in x units (+inf where f does
/// not oscillate). Returns nodes x_i (ascending) and weights for dln x.
template <typename Period>
QuadratureRule log_panel_rule(double x_lo, double x_hi, double max_ln_width, const Period& period, int order = 8) {
  if (!(x_lo > 0) || !(x_hi > x_lo) || !(max_ln_width > 0))
    throw std::invalid_argument("log_panel_rule: need 0 < x_lo < x_hi and a positive width, got [" +
                                std::to_string(x_lo) + ", " + std::to_string(x_hi) + "]");
  const QuadratureRule base = gauss_legendre(order);
  QuadratureRule rule;
  const double u_hi = std::log(x_hi);
  double u = std::log(x_lo);
  while (u < u_hi) {
    const double x = std::exp(u);
    double width = std::min(max_ln_width, period(x) / x);
    const double x_end = x * std::exp(width);  // periods shrink with x: check the far end too
    width = std::min(width, period(x_end) / x_end);
    double u_end = u + width;
    if (u_end > u_hi - 0.1 * width) u_end = u_hi;  // no sliver panel at the end
    const double mid = 0.5 * (u + u_end), half = 0.5 * (u_end - u);
    for (std::size_t i = 0; i < base.size(); ++i) {
      rule.x.push_back(std::exp(mid + half * base.x[i]));
      rule.w.push_back(half * base.w[i]);
    }
    u = u_end;
  }
  return rule;
}

}  // namespace orrery::cosmo
