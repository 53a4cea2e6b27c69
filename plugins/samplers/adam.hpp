// Adam (Kingma & Ba 2015, Algorithm 1): first-order minimisation with
// per-coordinate step sizes from bias-corrected running moments of the
// gradient,
//
//   m ← β1 m + (1 - β1) g,   v ← β2 v + (1 - β2) g²,
//   x ← x - α m̂ / (√v̂ + ε),  m̂ = m / (1 - β1ᵗ),  v̂ = v / (1 - β2ᵗ).
//
// Each step moves every coordinate by about α at most, whatever the scale of
// the gradient, so α sets the resolution: Adam suits noisy or very large
// problems where L-BFGS's line search is too expensive or misled, not
// high-precision optimisation. A step landing where f or its gradient is not
// finite is halved (up to `max_backtracks` times) before the moments are
// updated again. Stops at ‖∇f‖∞ ≤ gradient_tolerance or after max_iterations
// steps, returning the last iterate.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>

#include "optimiser.hpp"

namespace orrery::samplers {

struct AdamOptions {
  double learning_rate = 1e-2;  ///< α
  double beta1 = 0.9;           ///< decay of the first-moment estimate
  double beta2 = 0.999;         ///< decay of the second-moment estimate
  double epsilon = 1e-8;        ///< keeps the step finite where v̂ vanishes
  std::uint64_t max_iterations = 10000;
  double gradient_tolerance = 1e-6;  ///< on ‖∇f‖∞
  int max_backtracks = 30;
};

/// Minimises `f` from `x0`. If f(x0) or its gradient is not finite, returns at
/// once with reason NonFinite. `on_iteration` (optional) is called after
/// every step.
OptimiserResult minimise_adam(const Objective& f, const Eigen::VectorXd& x0, const AdamOptions& options,
                              const std::function<void()>& on_iteration = {});

}  // namespace orrery::samplers
