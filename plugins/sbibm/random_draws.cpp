#include "random_draws.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <orrery/error.hpp>

namespace orrery::sbibm {

double lognormal(orrery::RandomStream& rng, double mu, double sigma) { return std::exp(rng.normal(mu, sigma)); }

double log_factorial(std::int64_t k) {
  if (k < 0) throw orrery::Error("log_factorial: negative argument " + std::to_string(k));
  if (k < 16) {
    double sum = 0.0;
    for (std::int64_t i = 2; i <= k; ++i) sum += std::log(static_cast<double>(i));
    return sum;
  }
  // log Γ(x + 1) = (x + 1/2) log x - x + log(2π)/2 + 1/(12x) - 1/(360x³) + 1/(1260x⁵) - 1/(1680x⁷) + ...
  // The first omitted term, 1/(1188 x⁹), is below 1e-13 for x ≥ 16.
  const double x = static_cast<double>(k);
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  const double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
  return (x + 0.5) * std::log(x) - x + 0.91893853320467274178 + series;
}

std::int64_t binomial(orrery::RandomStream& rng, std::int64_t n, double p) {
  if (n < 0) throw orrery::Error("binomial: negative number of trials " + std::to_string(n));
  if (std::isnan(p)) throw orrery::Error("binomial: probability is NaN");
  if (n == 0 || p <= 0.0) return 0;
  if (p >= 1.0) return n;
  const double q = 1.0 - p;
  const double odds = p / q;
  const std::int64_t mode = std::min(n, static_cast<std::int64_t>(std::floor(static_cast<double>(n + 1) * p)));
  const double log_pmf_mode = log_factorial(n) - log_factorial(mode) - log_factorial(n - mode) +
                              static_cast<double>(mode) * std::log(p) + static_cast<double>(n - mode) * std::log1p(-p);
  const double pmf_mode = std::exp(log_pmf_mode);

  double u = rng.uniform() - pmf_mode;
  if (u < 0.0) return mode;
  // Next candidates below and above, with their probabilities.
  std::int64_t lo = mode - 1, hi = mode + 1;
  double p_lo = lo >= 0 ? pmf_mode * static_cast<double>(mode) / (static_cast<double>(n - mode + 1) * odds) : 0.0;
  double p_hi = hi <= n ? pmf_mode * static_cast<double>(n - mode) / static_cast<double>(mode + 1) * odds : 0.0;
  while (lo >= 0 || hi <= n) {
    const bool take_lo = lo >= 0 && (hi > n || p_lo >= p_hi);
    if (take_lo) {
      u -= p_lo;
      if (u < 0.0) return lo;
      // pmf(k - 1) = pmf(k) · k / (n - k + 1) · q / p
      p_lo = lo > 0 ? p_lo * static_cast<double>(lo) / (static_cast<double>(n - lo + 1) * odds) : 0.0;
      --lo;
    } else {
      u -= p_hi;
      if (u < 0.0) return hi;
      // pmf(k + 1) = pmf(k) · (n - k) / (k + 1) · p / q
      p_hi = hi < n ? p_hi * static_cast<double>(n - hi) / static_cast<double>(hi + 1) * odds : 0.0;
      ++hi;
    }
    // Both tails have underflowed to 0: what is left of u is rounding.
    if (p_lo == 0.0 && p_hi == 0.0) break;
  }
  return mode;
}

}  // namespace orrery::sbibm
