// sbi.npe: neural posterior estimation, as a Sampler.
//
// prepare() trains (or reloads from the artifact cache) q(θ | x) on a
// simulation campaign drawn from the prior (estimator_training.hpp). run()
// draws `samples` i.i.d. draws of q(θ | x_obs), keeps those inside the prior's
// support by rejection (the prior target's log_density finite), and returns
// them as one Chain, so the kernel writes and summarises them like any
// sampler's draws:
//   Chain::log_density        log q(θ | x_obs) − log(acceptance) of each kept
//                             draw: q restricted to the prior's support and
//                             renormalised (sbi's leakage correction)
//   Chain::acceptance_rate    kept / drawn (the rejection step's acceptance)
//   Chain::evaluations        draws made; nonfinite_rejections: draws outside the support
//   statistics                rejection_acceptance, simulations, failed_simulations, training_pairs
// An acceptance below 1 % is logged as a warning (leakage: q puts most of its
// mass outside the prior). When the draws reach max_draws_per_sample × samples
// without `samples` kept, run() stops with an Error.
//
// Draws come in rounds of kBatchesPerRound batches of kBatchSize, batch t from
// ctx.rng().split("posterior draws").split(t), drawn in parallel and kept in
// batch order, so the draws are identical whatever the thread count.
//
// target() is the LearnedPosterior (learned_posterior.hpp) over the prior's
// free space. Once prepared, the trained q(θ | x) is also offered to
// calibration tasks as the extension "orrery.amortized_posterior/1"
// (amortized_npe.hpp). NPE is amortised over x but conditions on exactly one
// observation: an observation holding several data sets is a ConfigError.
//
// Options: sbi_inputs.hpp (simulator, prior = "@prior", estimator,
// compressor, simulations = 10000, max_failed_fraction), plus `samples`
// (10000) and `max_draws_per_sample` (100).
#pragma once

#include <orrery/context.hpp>
#include <orrery/sampler.hpp>
#include <orrery/schema.hpp>

#include "amortized_npe.hpp"
#include "estimator_training.hpp"
#include "learned_posterior.hpp"
#include "sbi_inputs.hpp"

namespace orrery::sbi {

class NeuralPosteriorSampler final : public Sampler {
 public:
  static constexpr Eigen::Index kBatchSize = 1024;
  static constexpr std::size_t kBatchesPerRound = 8;
  static constexpr double kLeakageWarning = 0.01;

  static Schema options();
  explicit NeuralPosteriorSampler(Context& ctx);

  void prepare(Context& ctx) override;
  SampleSet run(Context& ctx) override;
  [[nodiscard]] const Target& target() const override { return posterior_; }
  /// "orrery.amortized_posterior/1" once prepared (amortized_npe.hpp); nothing else.
  void* extension(std::string_view name) override;

  [[nodiscard]] const TrainingSummary& training() const { return training_; }

 private:
  SbiInputs inputs_;
  Eigen::MatrixXd raw_observation_;  ///< output_size × 1
  LearnedPosterior posterior_;
  std::size_t samples_;
  double max_draws_per_sample_;
  AmortizedNpe amortized_;
  TrainingSummary training_;
  bool prepared_ = false;
};

}  // namespace orrery::sbi
