// GaussianMixture ("sbibm.gaussian_mixture"): θ ∈ [-10, 10]² (prior
// core.uniform, min = -10, max = 10), x ∈ R².
//
// x | θ ~ 0.5 N(θ, I₂) + 0.5 N(θ, 0.01 I₂): each simulation first picks one
// component (probability 1/2 each), then draws both coordinates from it, so the
// two coordinates share their scale (sd 1 or sd 0.1). No options.
#pragma once

#include "task_simulator.hpp"

namespace orrery::sbibm {

class GaussianMixture final : public TaskSimulator {
 public:
  static orrery::Schema options() { return {}; }
  explicit GaussianMixture(orrery::Context& ctx);

  static constexpr double kWideSd = 1.0;    ///< sd of the first component
  static constexpr double kNarrowSd = 0.1;  ///< sd of the second component

 private:
  void run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
           Eigen::Ref<Eigen::VectorXd> out) const override;
};

}  // namespace orrery::sbibm
