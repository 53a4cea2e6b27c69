#include "gaussian_linear.hpp"

namespace orrery::sbibm {

GaussianLinear::GaussianLinear(orrery::Context& ctx)
    : TaskSimulator(ctx, "gaussian_linear",
                    {"theta_1", "theta_2", "theta_3", "theta_4", "theta_5", "theta_6", "theta_7", "theta_8",
                     "theta_9", "theta_10"},
                    10) {}

void GaussianLinear::run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
                         Eigen::Ref<Eigen::VectorXd> out) const {
  gaussian_linear_noise(theta, rng, out);
}

}  // namespace orrery::sbibm
