// TARP: "Tests of Accuracy with Random Points" (Lemos, Coogan, Hezaveh &
// Perreault-Levasseur 2023, "Sampling-based accuracy testing of posterior
// estimators for general inference", ICML, arXiv:2302.03026), Algorithm 2.
//
// Input: N simulations with true parameters θ_i (row i of `truths`, N×d) and
// L_i ≥ 1 posterior draws each (`draws[i]`, L_i×d, one draw per row).
//   1. Normalise every parameter with an affine map fitted on the truths
//      (options.normalisation): min_max (default, as the reference package
//      `tarp` and sbi's run_tarp(z_score_theta=True) do): x → (x − lo)/(hi − lo + 1e-10)
//      with lo/hi the per-column min/max of the truths; z_score: x → (x − mean)/sd
//      (unbiased sd of the truths); none. A constant column gets scale 1.
//   2. One reference point r_i per simulation: options.references (N×d, in
//      the original units) or, if empty, r_i ~ U(lo, hi) per column — the
//      truths' bounding box, i.e. the unit cube after min_max normalisation
//      (the default of both reference implementations) — from rng.split("references").
//   3. f_i = #{ℓ : dist(draw_iℓ, r_i) < dist(θ_i, r_i)} / L_i, with the
//      Euclidean (default) or Manhattan distance in the normalised space.
//   4. ECP(α) = #{i : f_i < α} / N on a grid α ∈ [0, 1] of options.alpha_points
//      equally spaced values. An accurate posterior gives ECP(α) = α (f ~ U(0,1),
//      up to a discreteness of 1/(L+1)).
// The reference implementations estimate ECP by a density histogram of f with
// N/10 bins spanning [min f, max f]; we evaluate the empirical CDF exactly on
// a fixed [0, 1] grid instead (the same curve where f spans [0, 1]).
//
// Summaries:
//   atc           sbi's check_tarp "area to curve": Σ_{k ≥ K/2} (ECP(α_k) − α_k)·Δα
//                 over the upper half of the grid (K = alpha_points, integer
//                 division). ≈ 0 if accurate; > 0 over-dispersed (too wide);
//                 < 0 under-dispersed (too narrow); a bias also shows.
//   ks_statistic  sup_α |ECP(α) − α|, computed exactly from the sorted f (it is
//                 the one-sample KS statistic of f against U(0, 1));
//   ks_pvalue     kolmogorov_pvalue(N, ks_statistic) (kolmogorov.hpp). sbi's
//                 check_tarp instead runs a two-sample KS test between the
//                 arrays of ECP and α grid values, which is not a test of the
//                 coverage; we do not reproduce that.
//
// Throws orrery::Error for no simulations, mismatched shapes, a non-finite
// truth, a NaN draw (±inf draws are simply far away), non-finite references,
// or alpha_points < 2. Deterministic for a given `rng` (only used when the
// references are drawn); pure otherwise.
#pragma once

#include <Eigen/Core>
#include <span>

#include "orrery/random.hpp"

namespace orrery::calibration {

enum class TarpDistance { euclidean, manhattan };
enum class TarpNormalisation { none, min_max, z_score };

struct TarpOptions {
  TarpDistance distance = TarpDistance::euclidean;
  TarpNormalisation normalisation = TarpNormalisation::min_max;
  Eigen::Index alpha_points = 101;  ///< grid 0, 1/(K−1), …, 1
  Eigen::MatrixXd references;       ///< N×d in the truths' units; empty: drawn (step 2)
};

struct TarpResult {
  Eigen::MatrixXd references;       ///< N×d reference points used, original units
  Eigen::VectorXd coverage_values;  ///< f_i, N entries
  Eigen::VectorXd alpha;            ///< the credibility grid
  Eigen::VectorXd ecp;              ///< expected coverage probability on the grid
  double atc = 0.0;
  double ks_statistic = 0.0;
  double ks_pvalue = 1.0;
};

[[nodiscard]] TarpResult tarp(const Eigen::Ref<const Eigen::MatrixXd>& truths, std::span<const Eigen::MatrixXd> draws,
                              RandomStream rng, const TarpOptions& options = {});

}  // namespace orrery::calibration
