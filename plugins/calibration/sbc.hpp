// SBC: simulation-based calibration (Talts, Betancourt, Simpson, Vehtari &
// Gelman 2018, arXiv:1804.06788).
//
// Input: for each of N simulations i, the true parameters θ_i (row i of
// `truths`, N×d) and L posterior draws for that simulation's data
// (`draws[i]`, L×d, one draw per row; the same L for every simulation).
//
// Rank of parameter j in simulation i: r = #{draws ℓ : draw(ℓ, j) < θ_i(j)}
// plus, if t > 0 draws equal θ_i(j) exactly, a uniform integer in [0, t]
// drawn from `rng` (random tie-breaking keeps the ranks uniform for discrete
// parameters; with continuous posteriors ties have probability zero and the
// stream is never used). r ∈ {0, …, L}; for a calibrated posterior each rank is
// uniform on those L + 1 values.
//
// Histogram: B bins (2 ≤ B ≤ L + 1); rank r falls in bin ⌊r·B / (L + 1)⌋, so
// bins are equal when B divides L + 1 (choose L + 1 = multiple of B, as Talts
// et al. advise). The chi-square test uses the exact expected count of each
// bin, N·(rank values in the bin)/(L + 1), with B − 1 degrees of freedom and
// the p-value Q((B−1)/2, χ²/2) (incomplete_gamma.hpp).
//
// Kolmogorov–Smirnov test per parameter, of the ranks against their null,
// the DISCRETE uniform on {0, …, L}: D = max_k |F_N(k) − (k+1)/(L+1)| over
// k = 0..L (for a discrete null the supremum is attained at the support
// points), with p = kolmogorov_pvalue(N, D) (kolmogorov.hpp). For a discrete
// null this p-value is conservative (never too small). This is deliberately
// not sbi's kstest(ranks, uniform(0, L)): comparing the discrete ranks, or
// ranks/L, with a CONTINUOUS uniform biases D upwards by up to 1/(L+1), which
// with N = 1000 and L = 100 shifts √N·D by ~0.3 and makes calibrated
// posteriors look miscalibrated.
//
// Throws orrery::Error (naming simulation, draw and parameter where relevant)
// for mismatched shapes, differing L, no simulations or draws, a bin count out
// of range, or a NaN truth or draw (±inf are ordered like any number).
// Deterministic for a given `rng`; pure otherwise.
#pragma once

#include <Eigen/Core>
#include <span>

#include "orrery/random.hpp"

namespace orrery::calibration {

struct SbcOptions {
  Eigen::Index bins = 20;   ///< histogram bins B; clamped to L + 1 when L + 1 < bins
  bool chi_square = true;   ///< also compute the histogram's chi-square test
};

struct SbcResult {
  Eigen::Index draws = 0;           ///< L
  Eigen::MatrixXi ranks;            ///< N×d, each in [0, L]
  Eigen::MatrixXi histogram;        ///< B×d counts (column j: parameter j)
  Eigen::VectorXd expected_count;   ///< B: expected count per bin under uniform ranks
  Eigen::VectorXd ks_statistic;     ///< d: D against the discrete uniform
  Eigen::VectorXd ks_pvalue;        ///< d
  Eigen::VectorXd chi_square;       ///< d (empty unless options.chi_square)
  Eigen::VectorXd chi_square_pvalue;///< d (empty unless options.chi_square)
};

/// The N×d rank matrix (see above).
[[nodiscard]] Eigen::MatrixXi sbc_ranks(const Eigen::Ref<const Eigen::MatrixXd>& truths,
                                        std::span<const Eigen::MatrixXd> draws, RandomStream rng);

/// Ranks, histograms and tests (see above).
[[nodiscard]] SbcResult sbc(const Eigen::Ref<const Eigen::MatrixXd>& truths, std::span<const Eigen::MatrixXd> draws,
                            RandomStream rng, const SbcOptions& options = {});

/// D of ranks (values in [0, L]) against the discrete uniform on {0, …, L}.
/// Throws orrery::Error for an empty input or a rank outside [0, L].
[[nodiscard]] double ks_statistic_discrete_uniform(std::span<const int> ranks, int L);

}  // namespace orrery::calibration
