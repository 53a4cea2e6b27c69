// TwoMoons ("sbibm.two_moons"): θ ∈ [-1, 1]² (prior core.uniform, min = -1,
// max = 1), x ∈ R².
//
// Draw a ~ U(-π/2, π/2) and r ~ N(0.1, 0.01²) (sd 0.01), set
// p = (r cos a + 0.25, r sin a), and return
// x = p + (-|θ₁ + θ₂| / √2, (θ₂ - θ₁) / √2).
// The likelihood is the radial Gaussian of r = |p - (0.25, 0)| with
// p₁ > 0.25; the posterior is bimodal or crescent-shaped. No options.
#pragma once

#include "task_simulator.hpp"

namespace orrery::sbibm {

class TwoMoons final : public TaskSimulator {
 public:
  static orrery::Schema options() { return {}; }
  explicit TwoMoons(orrery::Context& ctx);

  static constexpr double kRadiusMean = 0.1;   ///< mean of r
  static constexpr double kRadiusSd = 0.01;    ///< sd of r
  static constexpr double kShift = 0.25;       ///< offset of p₁

 private:
  void run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
           Eigen::Ref<Eigen::VectorXd> out) const override;
};

}  // namespace orrery::sbibm
