// BernoulliGlmPrior ("sbibm.bernoulli_glm_prior"): the 10-d Gaussian
// smoothness prior of sbibm's bernoulli_glm task, θ ~ N(0, P⁻¹), given by its
// precision P:
//   P[0, 0] = 0.5 (the offset has variance 2 and is independent of the filter),
//   P[1:, 1:] = Fᵀ F with F = D D + diag(sqrt(i / 9)), i = 0..8, and D the 9×9
//   first-difference matrix (1 on the diagonal, -1 on the first sub-diagonal).
//
// A correlated prior over one 10-element block: dimension() is 10, and an
// analysis binds it by reference, e.g.
//   theta = { shape = [10], prior = "@glm_prior" }
//   [components.glm_prior]
//   plugin = "sbibm.bernoulli_glm_prior"
// log_prob is normalised (log N(θ; 0, P⁻¹)), with gradient -P θ; sample draws
// θ = L⁻ᵀ z with P = L Lᵀ and z ~ N(0, I). A vector that is not 10 long is a
// caller bug (the kernel checks block sizes): orrery::Error. No options.
// Thread-safe (const).
#pragma once

#include <Eigen/Core>
#include <Eigen/Cholesky>

#include <orrery/context.hpp>
#include <orrery/prior.hpp>
#include <orrery/schema.hpp>

#include "glm_design.hpp"

namespace orrery::sbibm {

using GlmMatrix = Eigen::Matrix<double, kGlmParameters, kGlmParameters>;

class BernoulliGlmPrior final : public orrery::Prior {
 public:
  static orrery::Schema options() { return {}; }
  explicit BernoulliGlmPrior(orrery::Context& ctx);

  /// The precision matrix P defined above.
  static GlmMatrix precision();

  [[nodiscard]] std::size_t dimension() const override { return kGlmParameters; }
  [[nodiscard]] double log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const override;
  void sample(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const override;
  [[nodiscard]] bool has_gradient() const override { return true; }
  double log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                           Eigen::Ref<Eigen::VectorXd> grad) const override;

 private:
  GlmMatrix precision_;
  Eigen::LLT<GlmMatrix> cholesky_;  ///< P = L Lᵀ
  double log_norm_;                 ///< ½ log det P - 5 log 2π
};

}  // namespace orrery::sbibm
