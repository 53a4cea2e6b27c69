// Slcp ("sbibm.slcp", simple likelihood, complex posterior): θ ∈ [-3, 3]⁵
// (prior core.uniform, min = -3, max = 3), x ∈ R⁸.
//
// m = (θ₁, θ₂), s₁ = θ₃², s₂ = θ₄², ρ = tanh θ₅ and
// S = [[s₁², ρ s₁ s₂], [ρ s₁ s₂, s₂²]] + 1e-6 I. x holds 4 iid draws from
// N(m, S), pair by pair: (u1₁, u1₂, u2₁, u2₂, u3₁, u3₂, u4₁, u4₂). No options.
#pragma once

#include "task_simulator.hpp"

namespace orrery::sbibm {

class Slcp final : public TaskSimulator {
 public:
  static orrery::Schema options() { return {}; }
  explicit Slcp(orrery::Context& ctx);

  static constexpr int kDraws = 4;          ///< iid 2-d draws per simulation
  static constexpr double kJitter = 1e-6;   ///< added to the diagonal of S

  /// The covariance S(θ) of each draw.
  static Eigen::Matrix2d covariance(const Eigen::Ref<const Eigen::VectorXd>& theta);

 private:
  void run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
           Eigen::Ref<Eigen::VectorXd> out) const override;
};

}  // namespace orrery::sbibm
