// Standard normal densities and probabilities in log space, accurate in the
// far tails where Φ(x) and 1 - Φ(x) underflow or cancel. Used to normalise
// truncated normals whose truncation region lies many standard deviations
// from the mean.
#pragma once

namespace orrery::core {

/// log(sqrt(2π)).
inline constexpr double kLogSqrtTwoPi = 0.91893853320467274178;

/// log φ(x), the standard normal log-density.
inline double log_normal_pdf(double x) { return -0.5 * x * x - kLogSqrtTwoPi; }

/// log Q(x) = log P(Z > x) for a standard normal Z. Accurate to a few ulps of
/// relative error for every x, including x >> 1 where Q(x) underflows.
[[nodiscard]] double log_normal_upper_tail(double x);

/// log P(a <= Z <= b) for a standard normal Z; a and b may be infinite.
/// Accurate for far-tail intervals (a = 40) and for very narrow ones
/// (b - a = 1e-12), where a difference of CDFs would cancel.
/// Returns -infinity when a >= b.
[[nodiscard]] double log_normal_interval_mass(double a, double b);

}  // namespace orrery::core
