// FunnelTarget ("toy.funnel"): Neal's funnel (Neal 2003, "Slice sampling",
// §8), the standard test of a sampler's behaviour where the scale of some
// coordinates depends on another.
#pragma once

#include <Eigen/Core>

#include <orrery/context.hpp>
#include <orrery/schema.hpp>

#include "toy_target.hpp"

namespace orrery::toy {

/// v ~ N(0, 3²) and, given v, x_i ~ N(0, e^v) independently for
/// i = 1..d−1, where d = `dimension` counts v too. Coordinates: v, x1, ..., x<d−1>.
///
/// log p(v, x) = −v²/18 − (d−1) v/2 − e^(−v) Σ x_i²/2 (up to a constant).
///
/// Exact moments: E[v] = 0, sd(v) = 3; E[x_i] = 0 and
/// Var(x_i) = E[Var(x_i | v)] = E[e^v] = e^(9/2), so sd(x_i) = e^(9/4) ≈ 9.4877.
/// The x_i are very heavy-tailed (E[x_i⁴] = 3 E[e^(2v)] = 3 e^18), so their
/// sample variance converges far too slowly to be a useful test; the
/// well-behaved checks are x_i e^(−v/2) ~ N(0, 1) independently of v, and
/// log|x_i| = v/2 + log|z| with mean −(γ + log 2)/2 and variance 9/4 + π²/8.
///
/// Initial points: every coordinate uniform on [−2, 2] (Stan's default): a box
/// of marginal standard deviations would start chains deep in the neck.
class FunnelTarget final : public ToyTarget {
 public:
  static constexpr double kScaleV = 3.0;  ///< sd of v

  static orrery::Schema options();
  explicit FunnelTarget(orrery::Context& ctx);

  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override;
  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                              Eigen::Ref<Eigen::VectorXd> grad) const override;
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override;

 private:
  explicit FunnelTarget(Eigen::Index dimension);
};

}  // namespace orrery::toy
