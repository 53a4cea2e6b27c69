// L-BFGS: limited-memory BFGS minimisation (Nocedal & Wright 2006, Alg. 7.4
// and 7.5) with a line search for the strong Wolfe conditions (bracketing and
// zoom, their Alg. 3.5 and 3.6, with safeguarded cubic interpolation).
//
//  * The search direction is -H∇f, H the inverse-Hessian approximation built
//    by the two-loop recursion from the last `history` pairs (s, y), scaled
//    by sᵀy / yᵀy of the newest pair. Pairs with too little curvature are
//    skipped, so H stays positive definite.
//  * A trial point with a non-finite value or gradient means the step was
//    too long: the line search backs off towards the last good point.
//  * If a line search fails with a memory of pairs, the memory is dropped and
//    the iteration retried along -∇f; a second failure stops the minimiser.
//  * Stops at ‖∇f‖∞ ≤ gradient_tolerance, at a relative decrease
//    (f_prev - f) ≤ function_tolerance · max(|f_prev|, |f|, 1), or after
//    max_iterations iterations (each one line search).
// Allocation happens only at the start; the loop itself reuses its buffers.
#pragma once

#include <Eigen/Core>
#include <cstdint>

#include "optimiser.hpp"

namespace orrery::samplers {

struct LbfgsOptions {
  int history = 10;                   ///< m, the number of (s, y) pairs kept
  std::uint64_t max_iterations = 1000;
  double gradient_tolerance = 1e-6;   ///< on ‖∇f‖∞
  double function_tolerance = 1e-12;  ///< on the relative decrease per iteration
  double c1 = 1e-4;                   ///< sufficient-decrease constant of the Wolfe conditions
  double c2 = 0.9;                    ///< curvature constant of the strong Wolfe conditions
  int max_line_search = 40;           ///< objective evaluations per line search
};

/// Minimises `f` from `x0`. If f(x0) or its gradient is not finite, returns
/// at once with reason NonFinite. `on_iteration` (optional) is called after
/// every iteration, for progress reporting.
OptimiserResult minimise_lbfgs(const Objective& f, const Eigen::VectorXd& x0, const LbfgsOptions& options,
                               const std::function<void()>& on_iteration = {});

}  // namespace orrery::samplers
