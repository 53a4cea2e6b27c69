// sbi.nle: neural likelihood estimation (Papamakarios et al. 2019).
//
// prepare() trains (or reloads from the artifact cache) a conditional density
// q(x | θ) on a simulation campaign drawn from the prior (estimator_training.hpp).
// The component is then a Likelihood, so "@posterior" = prior × learned
// likelihood and any sampler can sample it:
//
//   log L(θ) = Σ_{j=1..k} log q(x_obs,j | θ_free)      (learned_likelihood.hpp)
//
// where the observation holds k ≥ 1 i.i.d. data sets of the simulator's
// output size (k is fixed by the observation's size; see read_observations),
// compressed first when a compressor is given, and θ_free is the prior
// target's free vector taken from the full θ by name (parameter_map.hpp).
//
// Options: sbi_inputs.hpp (simulator, prior = "@prior", estimator,
// compressor, simulations = 10000, max_failed_fraction).
//
// Thread safety: the const evaluations may run concurrently (the estimator's
// are, by the DensityEstimator contract); their scratch is thread_local, so
// they allocate nothing after a thread's first call of a given size. Called
// before prepare() they throw Error. The gradient is available when the
// estimator has one; it is zero for fixed parameters.
#pragma once

#include <Eigen/Core>

#include <orrery/context.hpp>
#include <orrery/likelihood.hpp>
#include <orrery/schema.hpp>

#include "estimator_training.hpp"
#include "estimated_likelihood.hpp"
#include "sbi_inputs.hpp"

namespace orrery::sbi {

class NeuralLikelihood final : public EstimatedLikelihood {
 public:
  static Schema options();
  explicit NeuralLikelihood(Context& ctx);

  void prepare(Context& ctx) override;

  [[nodiscard]] const TrainingSummary& training() const { return training_; }

 private:
  TrainingSummary training_;
};

}  // namespace orrery::sbi
