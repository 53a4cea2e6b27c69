#include "gaussian_mixture.hpp"

namespace orrery::sbibm {

GaussianMixture::GaussianMixture(orrery::Context& ctx)
    : TaskSimulator(ctx, "gaussian_mixture", {"theta_1", "theta_2"}, 2) {}

void GaussianMixture::run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
                          Eigen::Ref<Eigen::VectorXd> out) const {
  const double sd = rng.uniform() < 0.5 ? kWideSd : kNarrowSd;  // one component per simulation
  out[0] = theta[0] + sd * rng.normal();
  out[1] = theta[1] + sd * rng.normal();
}

}  // namespace orrery::sbibm
