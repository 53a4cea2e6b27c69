// The files of the `map` task: map.json (the optimum, its Laplace covariance
// and every start) and map_covariance.txt (the covariance as a GetDist/Cobaya
// covmat), each written to a temporary name and renamed into place.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "laplace.hpp"
#include "optimiser.hpp"

namespace orrery::samplers {

/// One start of the optimiser, mapped back to the target's coordinates.
struct MapStart {
  StopReason reason = StopReason::MaxIterations;
  double log_density = 0.0;  ///< log p at x (-inf if the start failed)
  std::uint64_t iterations = 0;
  std::uint64_t evaluations = 0;  ///< target evaluations
  double gradient_norm = 0.0;     ///< ‖∇f‖∞ in the optimiser's coordinates at the end
  Eigen::VectorXd x;
  bool agrees = false;  ///< within the agreement tolerance of the best
};

/// A bounded parameter whose optimum is numerically at its bound.
struct BoundHit {
  Eigen::Index index = 0;
  bool upper = false;
  double bound = 0.0;
  double distance = 0.0;  ///< |x - bound|
};

/// Everything the task found, as written to map.json.
struct MapOutcome {
  std::string status;       ///< "converged", "max iterations", "at bound", "not positive definite", ...
  std::string method;       ///< "lbfgs" or "adam"
  std::string gradient;     ///< "analytic" or "finite differences"
  std::vector<std::string> names;  ///< target.space().element_names()
  std::size_t best = 0;     ///< index of the winning start
  std::vector<MapStart> starts;
  std::size_t agreeing = 0;
  double agreement_tolerance = 0.0;
  std::vector<BoundHit> at_bound;
  std::string laplace_status;            ///< describe(laplace), or why it was not computed
  std::optional<LaplaceResult> laplace;  ///< absent when not computed
};

/// Writes map.json into `dir`. Throws orrery::Error if it cannot.
void write_map_json(const std::filesystem::path& dir, const MapOutcome& outcome);
/// Writes map_covariance.txt into `dir`: "# name1 name2 ..." then one row per line.
void write_covariance(const std::filesystem::path& dir, const std::vector<std::string>& names,
                      const Eigen::MatrixXd& covariance);

}  // namespace orrery::samplers
