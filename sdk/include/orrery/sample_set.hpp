// SampleSet: what a sampler returns.
//
// One Chain per independent chain, each row one retained draw over the
// target's free parameters (row-major, so a draw of a large field is
// contiguous). The kernel writes them as GetDist chains and summarises them
// (means, intervals, R-hat, ESS).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace orrery {

using DrawMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Chain {
  DrawMatrix draws;             ///< n_draws × dimension, after warm-up
  Eigen::VectorXd log_density;  ///< n_draws; target log-density of each draw
  Eigen::VectorXd weights;      ///< n_draws importance weights, or empty for all ones
  std::uint64_t evaluations = 0;         ///< target evaluations, warm-up included
  std::uint64_t nonfinite_rejections = 0;  ///< proposals whose density was NaN or -inf
  double acceptance_rate = 0.0;          ///< after warm-up; NaN where it has no meaning
  /// Optional per-draw diagnostics, each n_draws long (NUTS: step_size,
  /// tree_depth, n_leapfrog, divergent, energy). The kernel writes them beside
  /// the chain file.
  std::vector<std::pair<std::string, Eigen::VectorXd>> draw_statistics;
};

struct SampleSet {
  std::vector<Chain> chains;
  /// Extra named statistics for the summary (e.g. "step_size", "divergences").
  std::vector<std::pair<std::string, double>> statistics;
};

}  // namespace orrery
