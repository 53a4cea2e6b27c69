// sbi.snle: sequential neural likelihood estimation (Papamakarios, Sterratt &
// Murray 2019, "Sequential Neural Likelihood", Algorithm 1).
//
// prepare() runs `rounds` rounds of `simulations` simulations each:
//   round 1     θ from the prior target (initial_point), exactly sbi.nle's
//               campaign (stream ctx.rng().split("simulations"));
//   round r ≥ 2 θ drawn from the current posterior estimate
//               p(θ) · L̂_{r−1}(θ), L̂_{r−1} the likelihood of the observation
//               under the estimator trained on rounds 1..r−1, by the ensemble
//               MCMC of proposal_sampler.hpp (stream
//               ctx.rng().split("proposal").split(r)), then simulated at those θ
//               (stream ctx.rng().split("simulations round <r>"), item i with
//               .split(i).split(1) as in every campaign);
// and after every round the estimator q(x | θ) is retrained from scratch on
// the successful simulations of all rounds so far (SNL retrains on all data),
// with the same stream ctx.rng().split("estimator") every time
// (estimator_training.hpp's fit_estimator). Training from scratch makes the
// estimator after round r a function of the simulations of rounds 1..r alone,
// so a run resumed from cached rounds gives the same result as an
// uninterrupted one, and rounds = 1 is sbi.nle with the same budget, bit for
// bit under the same component name and seed (same campaign stream, same
// training stream, same code).
//
// After prepare() the component is the Likelihood of the observation under
// the final estimator, exactly as sbi.nle (learned_likelihood.hpp):
//   log L(θ) = Σ_j log q(x_obs,j | θ_free), gradient when the estimator has one.
//
// Caching (ctx.cache(), key over every option, the seed and the references):
//   "simulations-round-<r>"  each round's simulation set (simulation_store.hpp;
//                            for r ≥ 2 theta.npy holds the MCMC proposal draws);
//   "estimator"              the final estimator.
// A cached "estimator" is loaded and nothing is simulated or trained. Cached
// rounds 1..c are read back; training resumes from the first missing round
// (the intermediate fits that only served proposals of cached rounds are
// skipped, which changes nothing because every fit starts from scratch).
//
// Options: sbi_inputs.hpp (simulator, prior = "@prior", estimator,
// compressor, simulations = 1000 per round, max_failed_fraction per round),
// rounds = 10, proposal_walkers = 100, proposal_warmup = 200,
// proposal_thin = 10, proposal_candidates = 10000.
//
// Logged per round: its simulations (from the prior or the proposal, failed
// count), the training pairs and seconds, and for r ≥ 2 the proposal MCMC's
// acceptance, SIR effective sample size, stuck walkers, non-finite proposals,
// and the mean and sd of the round's θ. An acceptance below
// kLowAcceptance or stuck walkers are warnings.
//
// Thread safety: as sbi.nle; the evaluations throw Error before prepare().
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <vector>

#include <orrery/context.hpp>
#include <orrery/likelihood.hpp>
#include <orrery/schema.hpp>

#include "estimator_training.hpp"
#include "estimated_likelihood.hpp"
#include "proposal_sampler.hpp"
#include "sbi_inputs.hpp"

namespace orrery::sbi {

/// What one round of sbi.snle did.
struct RoundSummary {
  std::size_t round = 0;        ///< 1-based
  std::size_t requested = 0;    ///< simulations of this round
  std::size_t failed = 0;       ///< of those, failed and excluded
  std::size_t pairs = 0;        ///< training pairs after this round (all rounds so far)
  bool reused_simulations = false;
  bool from_prior = false;      ///< round 1
  bool proposal_run = false;    ///< the MCMC ran (r ≥ 2 and the round was not cached)
  ProposalDiagnostics proposal;
  Eigen::VectorXd theta_mean;   ///< of this round's successful θ (free)
  Eigen::VectorXd theta_sd;
  double proposal_seconds = 0.0, simulation_seconds = 0.0;
};

class SequentialNeuralLikelihood final : public EstimatedLikelihood {
 public:
  static constexpr double kLowAcceptance = 0.05;

  static Schema options();
  explicit SequentialNeuralLikelihood(Context& ctx);

  void prepare(Context& ctx) override;

  [[nodiscard]] std::size_t rounds() const { return rounds_; }
  /// One entry per round run or read back in prepare() (empty when the estimator came from the cache
  /// and the round sets did not).
  [[nodiscard]] const std::vector<RoundSummary>& round_summaries() const { return summaries_; }
  /// Totals over all rounds: requested, failed and pairs of the final training.
  [[nodiscard]] const TrainingSummary& training() const { return training_; }
  /// Fits of the estimator in the last prepare(): one before each proposal that had to be drawn, plus the
  /// final one (so `rounds` without a cache, 0 when the estimator came from the cache).
  [[nodiscard]] std::size_t fits() const { return fits_; }

  /// Artifact name of round r's simulation set.
  static std::string round_artifact(std::size_t round);

 private:
  void train(const Eigen::MatrixXd& theta, const Eigen::MatrixXd& data, std::size_t requested, std::size_t round,
             Context& ctx);

  std::size_t rounds_;
  ProposalSampler proposal_;
  std::vector<RoundSummary> summaries_;
  TrainingSummary training_;
  std::size_t fits_ = 0;
};

}  // namespace orrery::sbi
