#include "bernoulli_glm.hpp"

#include <cmath>

#include "random_draws.hpp"

namespace orrery::sbibm {

BernoulliGlm::BernoulliGlm(orrery::Context& ctx)
    : TaskSimulator(ctx, "bernoulli_glm",
                    {"beta_0", "beta_1", "beta_2", "beta_3", "beta_4", "beta_5", "beta_6", "beta_7", "beta_8",
                     "beta_9"},
                    kGlmParameters) {
  (void)glm_design();  // build the shared design once, before any parallel use
}

GlmStimulus BernoulliGlm::spike_probabilities(const Eigen::Ref<const Eigen::VectorXd>& theta) {
  const Eigen::Matrix<double, kGlmParameters, 1> beta = theta;
  const GlmStimulus psi = glm_design() * beta;
  // 1 / (1 + exp(-ψ)) is exact in both tails: exp overflows to +inf, giving 0.
  return (1.0 + (-psi.array()).exp()).inverse().matrix();
}

Eigen::Matrix<double, kGlmParameters, 1> BernoulliGlm::summary(const Eigen::Ref<const Eigen::VectorXd>& y) {
  return glm_design().transpose() * y;
}

void BernoulliGlm::run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
                       Eigen::Ref<Eigen::VectorXd> out) const {
  const GlmStimulus z = spike_probabilities(theta);
  GlmStimulus y;
  for (int t = 0; t < kGlmBins; ++t) y[t] = bernoulli(rng, z[t]);
  out = glm_design().transpose() * y;
}

}  // namespace orrery::sbibm
