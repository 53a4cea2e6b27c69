// AdaptiveProposal: the Gaussian random-walk proposal of an adaptive
// Metropolis chain, learning its shape and size during warm-up.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cstdint>

#include <orrery/random.hpp>

namespace orrery::samplers {

/// Random-walk proposal x' = x + s · A z, z ~ N(0, I), where:
///  * before `minimum_samples()` warm-up states have been seen, A = diag(initial_sd);
///  * afterwards A Aᵀ = (2.38²/d) · Σ̂ (Haario, Saksman & Tamminen 2001), Σ̂ the
///    running (Welford) covariance of all the chain's warm-up states with a
///    relative 1e-6 ridge on its diagonal, refactorised every
///    `kRefreshInterval` states rather than every step; with Shape::Diagonal
///    only the variances are used, for high-dimensional targets where d×d is
///    too large. (Forgetting early states in doubling windows was tried: on
///    ill-conditioned 10-30-D Gaussians it adapted more slowly than the full
///    history.)
///  * s is a global scale adapted by Robbins–Monro on log s towards a target
///    acceptance rate (Andrieu & Thoms 2008), restarted at 1 when A switches
///    to the empirical covariance.
/// Adaptation happens only through adapt(), which the sampler calls during
/// warm-up; afterwards the proposal is fixed, so the retained chain is an
/// ordinary Metropolis chain. propose() and adapt() allocate nothing: every
/// buffer, the Cholesky factorisation's included, is sized at construction.
class AdaptiveProposal {
 public:
  enum class Shape { Full, Diagonal };
  /// Steps between refactorisations of the empirical covariance.
  static constexpr std::uint64_t kRefreshInterval = 50;

  /// `initial_sd`: per-coordinate proposal standard deviation (all > 0) used
  /// until the chain has enough states for an empirical covariance.
  AdaptiveProposal(const Eigen::VectorXd& initial_sd, Shape shape, double target_acceptance);

  /// Writes x + s · A z into `out` (same size as x), drawing z from `rng`.
  void propose(const Eigen::VectorXd& x, RandomStream& rng, Eigen::VectorXd& out);

  /// Warm-up only: records the chain's state after a step and the Metropolis
  /// acceptance probability of that step's proposal (0 for a rejected
  /// non-finite density).
  void adapt(const Eigen::VectorXd& state, double acceptance_probability);

  /// The current global scale s.
  [[nodiscard]] double scale() const;
  /// Whether A comes from the empirical covariance yet.
  [[nodiscard]] bool uses_empirical_covariance() const { return empirical_; }
  /// States needed before the empirical covariance is used.
  [[nodiscard]] std::uint64_t minimum_samples() const { return minimum_samples_; }

  /// The adaptation state, for checkpoints (the factor is recomputed from
  /// the moments only every kRefreshInterval states, so it is saved too).
  template <typename IO>
  void visit(IO& io) {
    io(empirical_);
    io(log_scale_);
    io(scale_updates_);
    io(count_);
    io(mean_);
    io(scatter_);
    io(scatter_diagonal_);
    io(sd_);
    io(factor_);
  }

 private:
  void observe(const Eigen::VectorXd& state);
  void refresh();

  Shape shape_;
  double target_acceptance_;
  double optimal_factor_;  ///< 2.38² / d
  std::uint64_t minimum_samples_;
  bool empirical_ = false;

  // Global scale, adapted on the log scale.
  double log_scale_ = 0.0;
  std::uint64_t scale_updates_ = 0;

  // Welford running moments of the states.
  std::uint64_t count_ = 0;
  Eigen::VectorXd mean_;
  Eigen::VectorXd delta_;
  Eigen::MatrixXd scatter_;          ///< Full: Σ (x - mean)(x - mean)ᵀ, lower triangle
  Eigen::VectorXd scatter_diagonal_; ///< Diagonal: Σ (x - mean)²

  // The proposal factor A.
  Eigen::VectorXd sd_;                 ///< diagonal A (initial phase, or Shape::Diagonal)
  Eigen::MatrixXd factor_;             ///< lower-triangular A (Shape::Full, empirical phase)
  Eigen::MatrixXd covariance_work_;    ///< Σ̂ being factorised
  Eigen::LLT<Eigen::MatrixXd> llt_;

  Eigen::VectorXd z_;     ///< standard normal draws
  Eigen::VectorXd step_;  ///< A z
};

}  // namespace orrery::samplers
