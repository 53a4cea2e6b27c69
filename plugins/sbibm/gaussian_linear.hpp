// GaussianLinear ("sbibm.gaussian_linear"): x | θ ~ N(θ, 0.1 I₁₀), θ ∈ R¹⁰.
//
// sbibm's "scale 0.1" is a covariance (it passes inverse(0.1 I) as a
// precision matrix): the noise sd is sqrt(0.1) ≈ 0.316. The task's prior is
// N(0, 0.1 I₁₀), i.e. core.normal with sd = sqrt(0.1), and its posterior is
// N(x_o / 2, 0.05 I₁₀). No options.
#pragma once

#include <cmath>

#include "task_simulator.hpp"

namespace orrery::sbibm {

/// Noise variance of the Gaussian linear tasks (a variance, not an sd).
inline constexpr double kGaussianLinearVariance = 0.1;

/// out = theta + sqrt(0.1)·z, z ~ N(0, I): shared by gaussian_linear and gaussian_linear_uniform.
inline void gaussian_linear_noise(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
                                  Eigen::Ref<Eigen::VectorXd> out) {
  const double sd = std::sqrt(kGaussianLinearVariance);
  for (Eigen::Index i = 0; i < theta.size(); ++i) out[i] = theta[i] + sd * rng.normal();
}

class GaussianLinear final : public TaskSimulator {
 public:
  static orrery::Schema options() { return {}; }
  explicit GaussianLinear(orrery::Context& ctx);

 private:
  void run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
           Eigen::Ref<Eigen::VectorXd> out) const override;
};

}  // namespace orrery::sbibm
