// ProposalSampler: sbi.snle's MCMC for each round's proposal, draws of the
// current posterior estimate
//
//   p̂(θ | x_obs) ∝ p(θ) · L̂(θ)       (θ: the prior target's free vector)
//
// where p is the prior target (its log_density) and L̂ the learned likelihood
// of the observation, evaluated in batches (a callable, so this file knows no
// estimator).
//
// The sampler is the affine-invariant ensemble sampler of Goodman & Weare
// (2010) with the stretch move (scale a = stretch_scale), updated red-blue as
// in emcee (Foreman-Mackey et al. 2013, §3): walkers of even index move
// against the odd ones, then the odd ones against the (updated) even ones. It
// runs in the unconstrained coordinates u of UnconstrainedTarget
// (orrery/unconstrained.hpp) over the prior target's space, so bounded priors
// (sbibm's uniform boxes) have no walls: the density of u is
// log p(θ(u)) + log L̂(θ(u)) + log|dθ/du|. A proposal whose density is not
// finite is rejected and counted.
//
// Initialisation: sampling-importance-resampling without replacement.
// `candidates` points are drawn with the prior target's initial_point (for
// "@prior" exact prior draws), weighted by L̂ (their importance weight against
// the prior), and the `walkers` points with the largest log L̂ + Gumbel noise
// start the walkers (the Gumbel top-k trick: successive sampling with
// probability ∝ L̂, never twice the same point, so the ensemble spans the
// space). After `warmup` ensemble steps the positions of all walkers are kept
// every `thin` steps until n draws are collected (record-major: draw
// r·walkers + k is walker k at record r).
//
// Determinism: candidate i uses base.split("candidates").split(i) (.split(0)
// for θ, .split(1) for its Gumbel noise); walker k uses
// base.split("walkers").split(k) for all its moves. Densities are evaluated in
// chunks of kChunk columns of a fixed partition through the executor, and every
// walker writes only its own slot, so the draws are bit-identical whatever the
// thread count.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <functional>

#include <orrery/random.hpp>
#include <orrery/services.hpp>
#include <orrery/target.hpp>
#include <orrery/unconstrained.hpp>

namespace orrery::sbi {

/// log L̂ of every column of free θ (dim θ × m) into out (m); thread-safe.
using BatchLogLikelihood =
    std::function<void(const Eigen::Ref<const Eigen::MatrixXd>&, Eigen::Ref<Eigen::VectorXd>)>;

struct ProposalSettings {
  std::size_t walkers = 100;       ///< ensemble size, at least max(4, 2 · dim θ)
  std::size_t warmup = 200;        ///< ensemble steps discarded
  std::size_t thin = 10;           ///< ensemble steps between kept positions
  std::size_t candidates = 10000;  ///< prior draws of the SIR initialisation, at least `walkers`
  double stretch_scale = 2.0;      ///< a of the stretch move (emcee's default)
};

struct ProposalDiagnostics {
  std::size_t walkers = 0;
  std::size_t steps = 0;               ///< ensemble steps run, warm-up included
  std::size_t candidates = 0;
  std::size_t finite_candidates = 0;   ///< candidates with a finite posterior density
  double sir_ess = 0.0;                ///< (Σ w)² / Σ w² of the candidates' weights w = L̂
  double warmup_acceptance = 0.0;      ///< stretch-move acceptance during warm-up
  double acceptance = 0.0;             ///< after warm-up
  std::size_t stuck_walkers = 0;       ///< walkers that accepted no move after warm-up
  std::uint64_t evaluations = 0;       ///< posterior evaluations, candidates included
  std::uint64_t nonfinite = 0;         ///< proposals with a non-finite density (rejected)
};

class ProposalSampler {
 public:
  static constexpr Eigen::Index kChunk = 32;  ///< columns per density evaluation

  /// `prior` (a Target over the free θ) must outlive this object. Throws
  /// Error when the settings are out of range for the prior's dimension.
  ProposalSampler(const Target& prior, ProposalSettings settings);

  [[nodiscard]] const ProposalSettings& settings() const { return settings_; }

  /// n draws (dim θ × n, free θ) of p(θ) · L̂(θ). Throws Error when fewer
  /// than `walkers` candidates have a finite posterior density.
  Eigen::MatrixXd sample(const BatchLogLikelihood& log_likelihood, std::size_t n, const RandomStream& base,
                         Executor& executor, ProposalDiagnostics& diagnostics) const;

 private:
  const Target& prior_;
  UnconstrainedTarget unconstrained_;
  ProposalSettings settings_;
};

}  // namespace orrery::sbi
