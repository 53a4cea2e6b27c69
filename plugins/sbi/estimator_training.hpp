// Training (or reloading) the density estimator of sbi.nle and sbi.npe.
//
// prepare_estimator():
//  1. if the component's artifact cache holds "estimator", load() it into the
//     estimator and stop: neither simulations nor training are repeated (the
//     cache key covers every option, the seed, [parameters] and everything
//     referenced, so an unchanged analysis gets the same key);
//  2. otherwise run the campaign (artifact "simulations", simulation_campaign.hpp),
//     which itself may come from the cache;
//  3. refuse fewer than kMinimumTrainingPairs successful simulations;
//  4. compress every simulation when a compressor is given;
//  5. fit: Role::likelihood fits q(x | θ) (a = data, b = θ_free), Role::posterior
//     fits q(θ | x) (a = θ_free, b = data), with the stream ctx.rng().split("estimator");
//  6. save the fitted estimator into artifact "estimator".
// Throws Error on too many failed simulations, too few pairs, or a cached
// estimator of other dimensions.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <string>

#include <orrery/context.hpp>

#include "sbi_inputs.hpp"

namespace orrery::sbi {

enum class Role { likelihood, posterior };

struct TrainingSummary {
  std::size_t requested = 0;  ///< simulations asked for (0 if unknown: a reused estimator without its set)
  std::size_t failed = 0;     ///< of those, failed and excluded
  std::size_t pairs = 0;      ///< training pairs given to fit()
  bool reused_estimator = false;
  bool reused_simulations = false;
};

TrainingSummary prepare_estimator(const SbiInputs& inputs, Role role, Context& ctx);

/// Throws Error ("too few simulations to train the density estimator: ...")
/// when `pairs` < kMinimumTrainingPairs; `requested` (the simulations they
/// came from) is quoted in the message.
void require_training_pairs(std::size_t pairs, std::size_t requested);

/// Steps 3 and 5 of prepare_estimator() on their own, for components that
/// assemble the training set themselves (sbi.snle): require_training_pairs,
/// logs "training the density estimator on N pairs", fits with the stream
/// ctx.rng().split("estimator") (the same stream on every call, so a refit on
/// the same pairs gives the same estimator) and checks the fitted dimensions. `theta` is dim θ_free × n, `data` the (compressed) data × n.
/// Saves nothing.
void fit_estimator(const SbiInputs& inputs, Role role, const Eigen::Ref<const Eigen::MatrixXd>& theta,
                   const Eigen::Ref<const Eigen::MatrixXd>& data, std::size_t requested, Context& ctx);

/// Throws Error unless the estimator models (data | θ_free) for Role::likelihood
/// or (θ_free | data) for Role::posterior; `where` names the source (a cache folder, "fit()").
void check_estimator_dimensions(const SbiInputs& inputs, Role role, const std::string& where);

}  // namespace orrery::sbi
