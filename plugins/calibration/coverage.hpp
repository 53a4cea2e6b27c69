// Expected coverage of highest-posterior-density (HPD) regions (as in
// Hermans et al. 2022, "A trust crisis in simulation-based inference?", and
// sbi's expected-coverage diagnostic).
//
// For each of N simulations: log q(θ_true) under the estimated posterior and
// log q of L draws from it (row i of an N×L matrix). The HPD level at which
// the truth lies is the fraction of draws with a strictly higher density,
//   level_i = #{ℓ : log q(draw_ℓ) > log q(θ_true)} / L  ∈ {0, 1/L, …, 1},
// i.e. the smallest credibility of an HPD region (estimated from the draws)
// containing the truth. The expected coverage at nominal credibility α is the
// fraction of simulations whose truth lies inside the α-HPD region:
//   empirical(α) = #{i : level_i ≤ α} / N
// (compared as level_i ≤ α + 1e-12, so that a grid value such as 0.3 includes
// the level 3/10 despite rounding).
// A calibrated posterior gives empirical ≈ α; empirical < α means
// overconfident (regions too small), > α conservative. With L draws the
// estimate carries a discreteness bias of at most 1/(L + 1).
//
// Standard errors (binomial): `standard_error` = √(e(1−e)/N) of the estimate
// e itself, and `null_standard_error` = √(α(1−α)/N), the band around the
// diagonal within which a calibrated posterior's curve should stay.
//
// Non-finite values: log q(θ_true) = −inf (truth outside the estimated
// support) puts the truth at level = fraction of draws with log q > −inf; a
// NaN anywhere throws orrery::Error naming the simulation (and draw).
// Pure and thread-safe.
#pragma once

#include <Eigen/Core>

namespace orrery::calibration {

struct CoverageCurve {
  Eigen::VectorXd levels;               ///< N: HPD level of each truth
  Eigen::VectorXd nominal;              ///< the credibility grid α (as given)
  Eigen::VectorXd empirical;            ///< fraction of truths inside the α-HPD region
  Eigen::VectorXd standard_error;       ///< √(e(1−e)/N)
  Eigen::VectorXd null_standard_error;  ///< √(α(1−α)/N)
};

/// `points` equally spaced values from 0 to 1 inclusive (points ≥ 2; throws otherwise).
[[nodiscard]] Eigen::VectorXd unit_grid(Eigen::Index points);

/// level_i for each simulation (see above). `log_q_truth` has N entries,
/// `log_q_draws` is N×L (L ≥ 1). Throws orrery::Error on a shape mismatch or NaN.
[[nodiscard]] Eigen::VectorXd hpd_levels(const Eigen::Ref<const Eigen::VectorXd>& log_q_truth,
                                         const Eigen::Ref<const Eigen::MatrixXd>& log_q_draws);

/// The expected-coverage curve on `nominal` (values in [0, 1], any order;
/// throws orrery::Error otherwise or on the errors of hpd_levels).
[[nodiscard]] CoverageCurve expected_coverage(const Eigen::Ref<const Eigen::VectorXd>& log_q_truth,
                                              const Eigen::Ref<const Eigen::MatrixXd>& log_q_draws,
                                              const Eigen::Ref<const Eigen::VectorXd>& nominal);

}  // namespace orrery::calibration
