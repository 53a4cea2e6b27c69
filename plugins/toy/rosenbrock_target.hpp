// RosenbrockTarget ("toy.rosenbrock"): the two-dimensional Rosenbrock density
// of Goodman & Weare (2010, Comm. App. Math. Comp. Sci. 5, 65, eq. 18), the
// example of the emcee paper: a thin curved ridge along x2 = x1².
#pragma once

#include <Eigen/Core>

#include <orrery/context.hpp>
#include <orrery/schema.hpp>

#include "toy_target.hpp"

namespace orrery::toy {

/// π(x1, x2) ∝ exp(−(100 (x2 − x1²)² + (1 − x1)²) / 20).
///
/// Exact moments: integrating x2 out leaves x1 ~ N(1, 10), and
/// x2 | x1 ~ N(x1², 1/10). Hence E[x1] = 1, sd(x1) = √10 ≈ 3.1623;
/// E[x2] = E[x1²] = 1 + 10 = 11 and Var(x2) = 1/10 + Var(x1²)
/// = 1/10 + 2·10² + 4·1·10 = 240.1, sd(x2) ≈ 15.4952. (The test checks these
/// by two-dimensional quadrature.)
///
/// Initial points: each coordinate uniform on ± 2 marginal sd around the mean.
class RosenbrockTarget final : public ToyTarget {
 public:
  static orrery::Schema options();
  explicit RosenbrockTarget(orrery::Context& ctx);

  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override;
  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                              Eigen::Ref<Eigen::VectorXd> grad) const override;
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override;

 private:
  RosenbrockTarget();
};

}  // namespace orrery::toy
