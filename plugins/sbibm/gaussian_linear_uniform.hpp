// GaussianLinearUniform ("sbibm.gaussian_linear_uniform"): x | θ ~ N(θ, 0.1 I₁₀),
// the same simulator as gaussian_linear (0.1 is the noise variance), with the
// prior θ ~ U(-1, 1)¹⁰ (core.uniform, min = -1, max = 1). The posterior is
// N(x_o, 0.1 I₁₀) truncated to the box. No options.
#pragma once

#include "task_simulator.hpp"

namespace orrery::sbibm {

class GaussianLinearUniform final : public TaskSimulator {
 public:
  static orrery::Schema options() { return {}; }
  explicit GaussianLinearUniform(orrery::Context& ctx);

 private:
  void run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
           Eigen::Ref<Eigen::VectorXd> out) const override;
};

}  // namespace orrery::sbibm
