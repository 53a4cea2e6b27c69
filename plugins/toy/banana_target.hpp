// BananaTarget ("toy.banana"): the twisted Gaussian of Haario, Saksman &
// Tamminen (1999, Comput. Stat. 14, 375), a curved ridge that defeats
// samplers relying on a single global covariance.
#pragma once

#include <Eigen/Core>

#include <orrery/context.hpp>
#include <orrery/schema.hpp>

#include "toy_target.hpp"

namespace orrery::toy {

/// π_b(x) = N(φ_b(x); 0, C) with C = diag(100, 1, ..., 1) and the twist
/// φ_b(x) = (x1, x2 + b (x1² − 100), x3, ..., xd), whose Jacobian is 1, so π_b
/// is normalised. Equivalently x = φ_b⁻¹(y) with y ~ N(0, C):
/// x1 = y1, x2 = y2 − b (y1² − 100), x_i = y_i for i ≥ 3.
///
/// Exact moments: E[x1] = 0, sd(x1) = 10; E[x2] = −b (E[y1²] − 100) = 0 and
/// Var(x2) = Var(y2) + b² Var(y1²) = 1 + b² · 2 · 100² = 1 + 2·10⁴ b²
/// (b = 0.1: Var 201, sd ≈ 14.177); E[x_i] = 0, sd(x_i) = 1 for i ≥ 3.
///
/// Initial points: each coordinate uniform on ± 2 marginal sd.
class BananaTarget final : public ToyTarget {
 public:
  static constexpr double kVariance1 = 100.0;  ///< C_11

  static orrery::Schema options();
  explicit BananaTarget(orrery::Context& ctx);

  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override;
  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                              Eigen::Ref<Eigen::VectorXd> grad) const override;
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override;

  [[nodiscard]] double twist() const { return b_; }

 private:
  BananaTarget(Eigen::Index dimension, double b);
  double b_;
};

}  // namespace orrery::toy
