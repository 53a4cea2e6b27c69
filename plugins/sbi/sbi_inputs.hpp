// What sbi.nle and sbi.npe share: their common options, the components those
// options reference, and the observed data.
//
// Options (both components):
//   simulator            reference to a Simulator, required
//   prior                reference to a Target, default "@prior": training θ are
//                        drawn with its initial_point() (for "@prior" an exact
//                        draw over the free parameters), and its log_density
//                        gives the prior support
//   estimator            reference to a DensityEstimator, required
//   compressor           optional reference to a Compressor applied to every
//                        simulation and to the observation
//   simulations          integer ≥ kMinimumTrainingPairs
//   max_failed_fraction  real in [0, 1], default 0.5
#pragma once

#include <Eigen/Core>
#include <cstddef>

#include <orrery/compressor.hpp>
#include <orrery/context.hpp>
#include <orrery/density_estimator.hpp>
#include <orrery/schema.hpp>
#include <orrery/simulator.hpp>
#include <orrery/target.hpp>

#include "simulation_library.hpp"

namespace orrery::sbi {

/// Fewest successful simulations a density estimator is trained on: with the
/// estimators' default 10 % validation split, 20 pairs leave 2 for early stopping.
inline constexpr std::size_t kMinimumTrainingPairs = 20;

/// The options listed above; `simulations_default` is the default of `simulations`.
Schema common_options(std::int64_t simulations_default);

struct SbiInputs {
  const Simulator* simulator = nullptr;
  const Target* prior = nullptr;
  DensityEstimator* estimator = nullptr;
  const Compressor* compressor = nullptr;  ///< nullptr: the raw simulation is the data
  std::size_t simulations = 0;
  double max_failed_fraction = 0.5;
  ParameterMap map;  ///< prior's free space ↔ the analysis's full space

  /// Size of what the estimator sees as data: the summary or the raw simulation.
  [[nodiscard]] std::size_t data_size() const {
    return compressor != nullptr ? compressor->summary_size() : simulator->output_size();
  }
};

/// Resolves the references and checks the prior's space against the analysis
/// (ConfigError at option 'prior' otherwise). Cheap: for constructors.
SbiInputs read_inputs(Context& ctx);

/// The observation of `[observation]` as k columns of the simulator's output
/// size d (C order: observation j is values[j·d .. (j+1)·d)), not compressed
/// (a trainable compressor is only ready once prepared). ConfigError when there is none,
/// when its size is not a multiple k ≥ 1 of the simulator's output size
/// (naming both shapes), when k > max_observations (0: no limit), or when it
/// holds non-finite values.
Eigen::MatrixXd read_observations(Context& ctx, const SbiInputs& inputs, std::size_t max_observations);

/// The summaries of every column of `x` (compressor applied in parallel), or x itself without one.
Eigen::MatrixXd compress_columns(const SbiInputs& inputs, const Eigen::Ref<const Eigen::MatrixXd>& x,
                                 Executor& executor);

}  // namespace orrery::sbi
