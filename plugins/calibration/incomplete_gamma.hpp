// The regularised upper incomplete gamma function and the chi-square upper
// tail built on it.
//
//   Q(a, x) = Γ(a, x) / Γ(a) = 1 − P(a, x),   a > 0, x ≥ 0
//
// Method (Numerical Recipes §6.2): for x < a + 1 the series of P(a, x)
// (converges fast there, and Q is not small, so 1 − P loses nothing that
// matters); otherwise the continued fraction of Q(a, x) by the modified Lentz
// algorithm (no cancellation in the far tail). The prefactor
// exp(−x + a·log x − lgamma(a)) is formed in logs. Relative accuracy is near
// machine precision for moderate a; both expansions converge in O(√a) terms.
// Pure and thread-safe.
#pragma once

namespace orrery::calibration {

/// Q(a, x). Throws orrery::Error unless a > 0 and x ≥ 0 (NaN included), or if
/// an expansion fails to converge (a above ~1e10).
[[nodiscard]] double regularized_gamma_q(double a, double x);

/// P(χ²_k ≥ x) = Q(k/2, x/2) for k > 0 degrees of freedom; 1 for x ≤ 0.
[[nodiscard]] double chi_square_pvalue(double x, double dof);

}  // namespace orrery::calibration
