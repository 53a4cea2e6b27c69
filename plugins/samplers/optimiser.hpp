// What the minimisers of the `map` task share: the objective they minimise and
// the result they return.
//
// An Objective is f(x) together with its gradient. A non-finite value (or a
// non-finite gradient) means "outside the domain": minimisers treat it as a
// step that went too far and back off, never as an error.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>

namespace orrery::samplers {

/// Returns f(x) and overwrites `grad` with ∇f(x). Called from one thread at a time per minimisation.
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& grad)>;

/// Why a minimiser stopped.
enum class StopReason {
  GradientTolerance,  ///< ‖∇f‖∞ at or below the gradient tolerance: converged
  FunctionTolerance,  ///< relative decrease of f in one iteration at or below its tolerance: converged
  MaxIterations,      ///< the iteration limit was reached first
  LineSearchFailed,   ///< no step along the search direction (nor steepest descent) decreased f
  NonFinite,          ///< every point tried around the current one was outside the domain
};

/// True for the two tolerance-based stops.
[[nodiscard]] inline bool converged(StopReason reason) {
  return reason == StopReason::GradientTolerance || reason == StopReason::FunctionTolerance;
}

/// A short label: "gradient tolerance", "max iterations", ...
[[nodiscard]] inline std::string stop_label(StopReason reason) {
  switch (reason) {
    case StopReason::GradientTolerance: return "gradient tolerance";
    case StopReason::FunctionTolerance: return "function tolerance";
    case StopReason::MaxIterations: return "max iterations";
    case StopReason::LineSearchFailed: return "line search failed";
    case StopReason::NonFinite: return "non-finite objective";
  }
  return "?";
}

struct OptimiserResult {
  Eigen::VectorXd x;         ///< the best point found
  double value = std::numeric_limits<double>::infinity();  ///< f(x)
  Eigen::VectorXd gradient;  ///< ∇f(x)
  std::uint64_t iterations = 0;
  std::uint64_t evaluations = 0;  ///< objective calls
  StopReason reason = StopReason::MaxIterations;

  /// The optimisers' starting state: f and its gradient at x0 (one
  /// evaluation). `reason` is NonFinite if either is not finite, and the
  /// optimiser should then return it as it is.
  static OptimiserResult start(const Objective& f, const Eigen::VectorXd& x0) {
    OptimiserResult result;
    result.x = x0;
    result.gradient.resize(x0.size());
    result.value = f(result.x, result.gradient);
    result.evaluations = 1;
    if (!std::isfinite(result.value) || !result.gradient.allFinite()) result.reason = StopReason::NonFinite;
    return result;
  }
};

}  // namespace orrery::samplers
