// Posterior summaries and convergence diagnostics of a SampleSet.
//
// Diagnostics come from the SDK's orrery/diagnostics.hpp: R-hat is the
// rank-normalised split R-hat, max(bulk, tail), of Vehtari et al. (2021);
// bulk and tail ESS likewise; the MCSE of the mean uses the split-chain ESS;
// the integrated autocorrelation time is emcee's estimator (Sokal window,
// c = 5, autocorrelation averaged over chains). Weighted draws get weighted
// means, standard deviations and quantiles; the diagnostics are then NaN.
#pragma once

#include <string>
#include <vector>

#include <orrery/sample_set.hpp>
#include <orrery/services.hpp>

namespace orrery::kernel {

struct ParameterSummary {
  std::string name;
  double mean = 0, sd = 0;
  double q16 = 0, q50 = 0, q84 = 0;  ///< 68% central interval and median
  double rhat = 0;       ///< rank-normalised split R-hat, max(bulk, tail)
  double ess_bulk = 0;   ///< bulk effective sample size
  double ess_tail = 0;   ///< tail effective sample size (5% and 95% quantiles)
  double mcse_mean = 0;  ///< Monte Carlo standard error of the mean
  double iat = 0;        ///< integrated autocorrelation time, in draws
};

/// One summary per column of the draws, named by `names`.
/// Parameters are summarised independently, in parallel through `executor`
/// if given (the result does not depend on it).
std::vector<ParameterSummary> summarise(const SampleSet& samples, const std::vector<std::string>& names,
                                       Executor* executor = nullptr);

}  // namespace orrery::kernel
