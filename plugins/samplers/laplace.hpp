// The Laplace approximation at a mode x* of a Target: the Hessian
// H = -∇∇ log p(x*) in the target's own (constrained) coordinates, and the
// covariance H⁻¹ of the Gaussian that matches log p to second order there.
//
// H is built by finite differences, with one step per parameter scaled to the
// curvature along it:
//  1. a probe finds a local scale s_j ≈ 1/√H_jj from second differences of
//     log p, starting at 1e-4·|x_j| (1e-4 if x_j = 0) and rescaling the step
//     until it is about 1e-2·s_j;
//  2. with a gradient, column j of H is the central difference of -∇ log p
//     with step 1e-3·s_j (2 gradients per parameter), then H ← (H + Hᵀ)/2;
//     without one, H_jj and H_ij are central second differences of log p with
//     steps 1e-2·s_j (2d² density evaluations in all).
// Steps never reach a bound: each is at most half the distance from x*_j to
// the nearer bound of its block. Columns (or rows) are independent work items
// run through the executor, so the result does not depend on the thread count.
//
// H⁻¹ is formed from the eigen-decomposition of H only when every eigenvalue
// is positive and the smallest is above d·ε times the largest; otherwise the
// status says why and the covariance is left empty.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>

#include <orrery/services.hpp>
#include <orrery/target.hpp>

namespace orrery::samplers {

struct LaplaceResult {
  enum class Status {
    PositiveDefinite,     ///< covariance holds H⁻¹
    NotPositiveDefinite,  ///< some eigenvalue of H is not (clearly) positive: x* is not a strict local maximum
    NonFinite,            ///< log p or its gradient was not finite within a step of x*
  };
  Status status = Status::NonFinite;
  Eigen::MatrixXd hessian;     ///< -∇∇ log p(x*), symmetric
  Eigen::MatrixXd covariance;  ///< H⁻¹ if PositiveDefinite, else empty
  Eigen::VectorXd steps;       ///< the finite-difference step of each parameter
  double min_eigenvalue = 0.0, max_eigenvalue = 0.0;
  std::uint64_t evaluations = 0;  ///< target evaluations (densities or gradients)
  bool used_gradient = false;
};

/// The Laplace approximation of `target` at `mode` (log p(mode) must be
/// finite). Uses the target's gradient if it has one.
LaplaceResult laplace_approximation(const orrery::Target& target, const Eigen::VectorXd& mode,
                                    orrery::Executor& executor);

/// "positive definite", "not positive definite (smallest eigenvalue -0.3)", ...
std::string describe(const LaplaceResult& result);

}  // namespace orrery::samplers
