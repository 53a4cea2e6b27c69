// Posterior summaries and convergence diagnostics of a SampleSet.
//
// R-hat is the split-chain potential scale reduction (Gelman et al., BDA3
// §11.4); ESS uses the multi-chain autocorrelation estimate with Geyer's
// initial monotone sequence (as in Stan). Weighted draws get weighted means,
// standard deviations and quantiles; R-hat and ESS are then reported as NaN.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include <orrery/sample_set.hpp>

namespace orrery::kernel {

struct ParameterSummary {
  std::string name;
  double mean = 0, sd = 0;
  double q16 = 0, q50 = 0, q84 = 0;  ///< 68% central interval and median
  double rhat = 0;
  double ess = 0;
};

/// Split R-hat of one scalar across chains (each an Eigen vector of draws).
double split_rhat(const std::vector<Eigen::VectorXd>& chains);
/// Effective sample size of one scalar across chains.
double effective_sample_size(const std::vector<Eigen::VectorXd>& chains);

/// One summary per column of the draws, named by `names`.
std::vector<ParameterSummary> summarise(const SampleSet& samples, const std::vector<std::string>& names);

}  // namespace orrery::kernel
