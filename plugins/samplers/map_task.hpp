// MapTask ("samplers.map"): the maximum a posteriori point of a Target, found
// by L-BFGS (or Adam) from several random starts, with the Laplace covariance
// at the best optimum.
//
//  * The minimiser works on f(u) = -log p(x(u)) in the unconstrained
//    coordinates of orrery::UnconstrainedTarget with Jacobian::Exclude, so
//    bounded parameters never meet their bounds and the optimum is the mode
//    of p(x) itself (not of the density of u).
//  * Start i begins at the target's initial_point drawn from
//    ctx.rng().split(i) (redrawn while log p is not finite, up to
//    kMaxInitialAttempts times) and runs through ctx.executor(); results do
//    not depend on the thread count. The highest log density wins (ties: the
//    lowest start index).
//  * Without a target gradient, ∇f is taken by central finite differences in
//    u (2d + 1 evaluations per gradient), with step ∛ε·max(|u_j|, s_j), where
//    s_j = 1 for bounded coordinates (u is then a log or logit) and |u_j| at
//    the start (1 if zero) otherwise.
//  * A bounded parameter is "at its bound" when f(u) has no stationary point
//    along its coordinate u_j, judged from f'(u_j) and a second difference
//    f'' with step 1 in u: the Newton step -f'/f'' exceeds 1/4 towards the
//    bound (as u → ±∞, f ≈ a + b·e^{∓u} and |f'/f''| tends to 1, while at an
//    interior optimum it tends to 0), or f'' is not resolved above rounding
//    while |f'| exceeds the gradient tolerance (a density unbounded at the
//    bound: f ≈ a + b·u). The Laplace covariance is then not computed.
//  * The Laplace covariance (laplace.hpp) is the inverse Hessian of -log p in
//    the constrained coordinates x.
//
// Files (each through a temporary name and a rename): map.json (everything),
// and map_covariance.txt (GetDist/Cobaya covmat: a '#' line of parameter
// names, then the matrix) when the covariance exists.
#pragma once

#include <cstdint>
#include <string>

#include <orrery/context.hpp>
#include <orrery/schema.hpp>
#include <orrery/target.hpp>
#include <orrery/task.hpp>

#include "adam.hpp"
#include "lbfgs.hpp"

namespace orrery::samplers {

class MapTask final : public orrery::Task {
 public:
  static constexpr int kMaxInitialAttempts = 100;
  /// Above this many parameters the dense Hessian is refused (set laplace = false).
  static constexpr std::size_t kMaxLaplaceDimension = 4096;
  /// Report lines listing parameters stop after this many (map.json has all).
  static constexpr std::size_t kMaxReportedParameters = 50;

  enum class Method { Lbfgs, Adam };

  static orrery::Schema options();
  explicit MapTask(orrery::Context& ctx);

  orrery::Report run(orrery::Context& ctx) override;

 private:
  std::string name_;
  const orrery::Target* target_;
  Method method_ = Method::Lbfgs;
  std::uint64_t starts_ = 4;
  LbfgsOptions lbfgs_;
  AdamOptions adam_;
  double agreement_tolerance_ = 1e-3;
  bool laplace_ = true;
};

}  // namespace orrery::samplers
