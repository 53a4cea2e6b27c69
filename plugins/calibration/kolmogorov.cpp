#include "calibration/kolmogorov.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "orrery/error.hpp"

namespace orrery::calibration {

namespace {

void check(Index n, double d, const char* what) {
  if (n < 1) throw Error(std::string("calibration: ") + what + ": needs n >= 1 observations, got " + std::to_string(n));
  if (std::isnan(d)) throw Error(std::string("calibration: ") + what + ": the statistic is NaN");
}

// Largest k = ⌊n·d⌋ + 1 for which kolmogorov_pvalue uses the exact method.
constexpr Index kExactMaxK = 64;
// Decimal exponent step of the matrix-power scaling (as in MTW's code).
constexpr double kScale = 1e140;
constexpr int kScaleExponent = 140;

using Matrix = Eigen::MatrixXd;

// A^n with a decimal exponent: the result is `out`·10^exponent.
void matrix_power(const Matrix& a, Index n, Matrix& out, int& exponent) {
  if (n == 1) {
    out = a;
    exponent = 0;
    return;
  }
  Matrix half;
  int half_exponent = 0;
  matrix_power(a, n / 2, half, half_exponent);
  out.noalias() = half * half;
  exponent = 2 * half_exponent;
  if (n % 2 == 1) {
    Matrix tmp = a * out;
    out.swap(tmp);
  }
  const Index mid = out.rows() / 2;
  if (out(mid, mid) > kScale) {
    out *= 1.0 / kScale;
    exponent += kScaleExponent;
  }
}

}  // namespace

double kolmogorov_cdf_exact(Index n, double d) {
  check(n, d, "kolmogorov_cdf_exact");
  const double nd = static_cast<double>(n) * d;
  if (nd <= 0.5) return 0.0;
  if (d >= 1.0) return 1.0;
  const Index k = static_cast<Index>(nd) + 1;
  const Index m = 2 * k - 1;
  const double h = static_cast<double>(k) - nd;
  Matrix H(m, m);
  for (Index i = 0; i < m; ++i)
    for (Index j = 0; j < m; ++j) H(i, j) = (i - j + 1 < 0) ? 0.0 : 1.0;
  for (Index i = 0; i < m; ++i) {
    H(i, 0) -= std::pow(h, static_cast<double>(i + 1));
    H(m - 1, i) -= std::pow(h, static_cast<double>(m - i));
  }
  if (2.0 * h - 1.0 > 0.0) H(m - 1, 0) += std::pow(2.0 * h - 1.0, static_cast<double>(m));
  for (Index i = 0; i < m; ++i)
    for (Index j = 0; j < m; ++j)
      if (i - j + 1 > 0)
        for (Index g = 1; g <= i - j + 1; ++g) H(i, j) /= static_cast<double>(g);
  Matrix Q;
  int exponent = 0;
  matrix_power(H, n, Q, exponent);
  double s = Q(k - 1, k - 1);
  for (Index i = 1; i <= n; ++i) {
    s = s * static_cast<double>(i) / static_cast<double>(n);
    if (s < 1.0 / kScale) {
      s *= kScale;
      exponent -= kScaleExponent;
    }
  }
  return std::clamp(s * std::pow(10.0, exponent), 0.0, 1.0);
}

double kolmogorov_sf(double lambda) {
  if (std::isnan(lambda)) throw Error("calibration: kolmogorov_sf: lambda is NaN");
  if (lambda <= 0.0) return 1.0;
  if (lambda < 1.18) {
    // Theta-function form of the CDF; converges fast for small λ.
    const double pi2_8l2 = std::numbers::pi * std::numbers::pi / (8.0 * lambda * lambda);
    double sum = 0.0;
    for (int k = 1; k < 100; ++k) {
      const double odd = 2.0 * k - 1.0;
      const double term = std::exp(-odd * odd * pi2_8l2);
      sum += term;
      if (term < 1e-18 * sum) break;
    }
    return std::clamp(1.0 - std::sqrt(2.0 * std::numbers::pi) / lambda * sum, 0.0, 1.0);
  }
  double sum = 0.0, sign = 1.0;
  for (int k = 1; k < 100; ++k) {
    const double term = std::exp(-2.0 * k * k * lambda * lambda);
    sum += sign * term;
    if (term < 1e-18 * sum) break;
    sign = -sign;
  }
  return std::clamp(2.0 * sum, 0.0, 1.0);
}

double kolmogorov_pvalue_asymptotic(Index n, double d) {
  check(n, d, "kolmogorov_pvalue_asymptotic");
  const double nn = static_cast<double>(n), rn = std::sqrt(nn), lambda = rn * d;
  return kolmogorov_sf(lambda + 1.0 / (6.0 * rn) + (lambda - 1.0) / (4.0 * nn));
}

double kolmogorov_one_sided_pvalue(Index n, double d) {
  check(n, d, "kolmogorov_one_sided_pvalue");
  if (d <= 0.0) return 1.0;
  if (d >= 1.0) return 0.0;
  // P(D⁺ ≥ d) = d Σ_{j=0}^{⌊n(1−d)⌋} C(n, j) (1 − d − j/n)^{n−j} (d + j/n)^{j−1}, summed in logs.
  const double nn = static_cast<double>(n);
  const auto jmax = static_cast<Index>(std::floor(nn * (1.0 - d)));
  const double lgn = std::lgamma(nn + 1.0);
  std::vector<double> logs;
  logs.reserve(static_cast<std::size_t>(jmax + 1));
  for (Index j = 0; j <= jmax; ++j) {
    const double jj = static_cast<double>(j);
    const double base = 1.0 - d - jj / nn;
    if (base <= 0.0 && n - j > 0) continue;  // a zero term
    const double log_binom = lgn - std::lgamma(jj + 1.0) - std::lgamma(nn - jj + 1.0);
    const double lp = (n - j > 0 ? (nn - jj) * std::log(base) : 0.0);
    logs.push_back(log_binom + lp + (jj - 1.0) * std::log(d + jj / nn));
  }
  if (logs.empty()) return 0.0;
  const double top = *std::max_element(logs.begin(), logs.end());
  double sum = 0.0;
  for (double l : logs) sum += std::exp(l - top);
  return std::clamp(d * sum * std::exp(top), 0.0, 1.0);
}

double kolmogorov_pvalue(Index n, double d) {
  check(n, d, "kolmogorov_pvalue");
  const double nn = static_cast<double>(n);
  if (nn * d <= 0.5) return 1.0;
  if (d >= 1.0) return 0.0;
  if (d >= 0.5) return std::min(1.0, 2.0 * kolmogorov_one_sided_pvalue(n, d));
  const double s = nn * d * d;
  const double tail = std::min(1.0, 2.0 * std::exp(-(2.000071 + 0.331 / std::sqrt(nn) + 1.409 / nn) * s));
  if (static_cast<Index>(nn * d) + 1 <= kExactMaxK) {
    const double p = 1.0 - kolmogorov_cdf_exact(n, d);
    return p >= 1e-12 ? p : tail;
  }
  return s > 3.76 ? tail : kolmogorov_pvalue_asymptotic(n, d);
}

double ks_statistic_uniform(std::span<const double> values) {
  if (values.empty()) throw Error("calibration: ks_statistic_uniform: no values");
  std::vector<double> u(values.begin(), values.end());
  for (std::size_t i = 0; i < u.size(); ++i)
    if (std::isnan(u[i])) throw Error("calibration: ks_statistic_uniform: value " + std::to_string(i) + " is NaN");
  std::sort(u.begin(), u.end());
  const double n = static_cast<double>(u.size());
  double d = 0.0;
  for (std::size_t i = 0; i < u.size(); ++i) {
    const double f = std::clamp(u[i], 0.0, 1.0);
    d = std::max({d, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
  }
  return d;
}

}  // namespace orrery::calibration
