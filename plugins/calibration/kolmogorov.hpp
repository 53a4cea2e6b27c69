// The Kolmogorov–Smirnov distribution: p-values of the two-sided one-sample
// statistic D_n = sup_x |F_n(x) − F(x)| for n observations from a continuous
// F, and the statistic of a sample against U(0, 1).
//
// Method of kolmogorov_pvalue(n, d), by region (k = ⌊n·d⌋ + 1, s = n·d²):
//   d ≤ 1/(2n)       p = 1 (D_n ≥ 1/(2n) always); d ≥ 1: p = 0.
//   1/2 ≤ d < 1      exact: for d ≥ 1/2 the events D_n⁺ ≥ d and D_n⁻ ≥ d are
//                    disjoint, so p = 2·P(D_n⁺ ≥ d), with the one-sided tail
//                    from the Birnbaum–Tingey (1951) sum, evaluated in logs
//                    (its terms are all positive: full relative precision).
//   k ≤ 64           exact, Marsaglia, Tsang & Wang (2003), "Evaluating
//                    Kolmogorov's distribution", J. Stat. Softw. 8(18): P(D_n < d)
//                    from a power of a (2k−1)-square matrix with exponent
//                    tracking (absolute error ~1e-14), p = 1 − that; where this
//                    p is below 1e-12 (cancellation), the tail formula below.
//   k > 64 (large n), s > 3.76 (p ≲ 1e-3): MTW's tail formula
//                    p = 2·exp(−(2.000071 + 0.331/√n + 1.409/n)·s); measured
//                    against the exact method: relative error < 1.5 % at
//                    n = 1000 down to p = 1e-11 (it is poorer for n ≤ 100, up
//                    to a factor 2 at p ~ 1e-11, hence only used as above).
//   k > 64, s ≤ 3.76 (n ≳ 1000): the limiting distribution at the first-order
//                    corrected argument, p = Q_KS(λ + 1/(6√n) + (λ − 1)/(4n)),
//                    λ = √n·d (Vrbik 2018, "Small-sample corrections to
//                    Kolmogorov–Smirnov test statistic", Pioneer J. Theor.
//                    Appl. Stat. 15); measured against the exact method:
//                    absolute error < 2e-5 for n ≥ 1000 (Stephens' 1970
//                    correction, (√n + 0.12 + 0.11/√n)·d, is off by up to 4e-3
//                    there, so it is not used).
// All functions are pure and thread-safe. They throw orrery::Error for n < 1
// or a NaN statistic.
#pragma once

#include <Eigen/Core>
#include <span>

namespace orrery::calibration {

using Index = Eigen::Index;

/// P(D_n ≥ d): the p-value of an observed statistic d (see the regions above).
[[nodiscard]] double kolmogorov_pvalue(Index n, double d);

/// P(D_n < d) by the exact Marsaglia–Tsang–Wang method for every d; the cost
/// grows as (n·d)³·log n, so it is meant for n·d up to a few hundred.
[[nodiscard]] double kolmogorov_cdf_exact(Index n, double d);

/// P(D_n ≥ d) ≈ Q_KS(λ + 1/(6√n) + (λ − 1)/(4n)), λ = √n·d (Vrbik's correction).
[[nodiscard]] double kolmogorov_pvalue_asymptotic(Index n, double d);

/// The limiting upper tail Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²)
/// (scipy.special.kolmogorov), summed in the theta-function form
/// 1 − (√(2π)/λ) Σ_{k≥1} exp(−(2k−1)²π²/(8λ²)) for λ < 1.18, where the
/// alternating series converges slowly. 1 for λ ≤ 0.
[[nodiscard]] double kolmogorov_sf(double lambda);

/// P(D_n⁺ ≥ d) for 0 ≤ d ≤ 1 (one-sided, Birnbaum–Tingey), exact.
[[nodiscard]] double kolmogorov_one_sided_pvalue(Index n, double d);

/// D_n of `values` against U(0, 1): max_i max(i/n − u_(i), u_(i) − (i−1)/n)
/// over the sorted values (a copy is sorted). Throws orrery::Error if empty or
/// a value is NaN; values outside [0, 1] count as they are (the CDF is clamped).
[[nodiscard]] double ks_statistic_uniform(std::span<const double> values);

}  // namespace orrery::calibration
