// Expectation–maximisation for a full-covariance Gaussian mixture on the
// columns of a matrix, delegated to Armadillo's arma::gmm_full. This is the
// only translation unit that includes Armadillo, so the rest of the plugin
// (and everything that links it) sees Eigen only.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

namespace orrery::nde {

struct JointMixture {
  Eigen::VectorXd weights;                    ///< π_k, summing to one
  std::vector<Eigen::VectorXd> means;         ///< μ_k (dimension D)
  std::vector<Eigen::MatrixXd> covariances;   ///< Σ_k (D × D, symmetric positive definite)
};

struct EmSettings {
  std::int64_t components = 10;
  std::int64_t kmeans_iterations = 10;  ///< k-means iterations that seed EM
  std::int64_t em_iterations = 100;     ///< upper bound (Armadillo stops earlier on convergence)
  double variance_floor = 1e-6;         ///< smallest allowed variance, in the units of x
  std::uint64_t seed = 0;               ///< seeds Armadillo's generator for the initial k-means subset
};

/// Fits a mixture to the columns of `x` (D × n, n ≥ components). Throws
/// orrery::Error when Armadillo reports failure. Sets Armadillo's random
/// generator seed (thread-local state of Armadillo's), so the result depends
/// only on `x` and `settings`.
JointMixture fit_mixture_em(const Eigen::MatrixXd& x, const EmSettings& settings);

}  // namespace orrery::nde
