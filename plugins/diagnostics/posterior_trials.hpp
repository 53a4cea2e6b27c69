// Calibration trials of an amortized posterior: N times, draw θ_i from the
// prior, simulate x_i, and draw L samples of q(θ | x_i) — the raw material of
// SBC ranks, expected-coverage curves and TARP.
//
// Trial i uses only rng.split(i) and writes only its own slot, and trials run
// in parallel on the executor, so the result does not depend on the thread
// count. A failed simulation is redrawn (counted), up to 100 times per trial.
#pragma once

#include <cstddef>
#include <vector>

#include <Eigen/Core>

#include "orrery/amortized_posterior.hpp"
#include "orrery/random.hpp"
#include "orrery/services.hpp"

namespace orrery::diagnostics {

struct PosteriorTrials {
  Eigen::MatrixXd truths;              ///< N×d, one θ_i per row
  std::vector<Eigen::MatrixXd> draws;  ///< N matrices L×d (one draw per row)
  Eigen::VectorXd log_q_truth;         ///< N: log q(θ_i | x_i) (with_densities only)
  Eigen::MatrixXd log_q_draws;         ///< N×L: log q of each draw (with_densities only)
  std::size_t failed_simulations = 0;
};

PosteriorTrials run_posterior_trials(const AmortizedPosterior& posterior, Eigen::Index trials, Eigen::Index draws,
                                     bool with_densities, const RandomStream& rng, Executor& executor,
                                     Progress* progress);

}  // namespace orrery::diagnostics
