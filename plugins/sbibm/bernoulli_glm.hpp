// BernoulliGlm ("sbibm.bernoulli_glm"): θ = (β₀, β₁..β₉) ∈ R¹⁰, an offset and
// a 9-tap temporal filter; x ∈ R¹⁰. Prior: sbibm.bernoulli_glm_prior.
//
// ψ = X θ with the fixed 100 × 10 design X (glm_design.hpp),
// z_t = 1 / (1 + exp(-ψ_t)), y_t ~ Bernoulli(z_t) independently for the 100
// bins, and x = Xᵀ y: the spike count followed by the 9 stimulus-triggered
// sums. No options.
#pragma once

#include "glm_design.hpp"
#include "task_simulator.hpp"

namespace orrery::sbibm {

class BernoulliGlm final : public TaskSimulator {
 public:
  static orrery::Schema options() { return {}; }
  explicit BernoulliGlm(orrery::Context& ctx);

  /// Spike probabilities z(θ) of the 100 bins.
  static GlmStimulus spike_probabilities(const Eigen::Ref<const Eigen::VectorXd>& theta);
  /// The summary Xᵀ y of raw spikes y (100 entries).
  static Eigen::Matrix<double, kGlmParameters, 1> summary(const Eigen::Ref<const Eigen::VectorXd>& y);

 private:
  void run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
           Eigen::Ref<Eigen::VectorXd> out) const override;
};

}  // namespace orrery::sbibm
