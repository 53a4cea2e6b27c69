#include "gaussian_linear_uniform.hpp"

#include "gaussian_linear.hpp"

namespace orrery::sbibm {

GaussianLinearUniform::GaussianLinearUniform(orrery::Context& ctx)
    : TaskSimulator(ctx, "gaussian_linear_uniform",
                    {"theta_1", "theta_2", "theta_3", "theta_4", "theta_5", "theta_6", "theta_7", "theta_8",
                     "theta_9", "theta_10"},
                    10) {}

void GaussianLinearUniform::run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
                                Eigen::Ref<Eigen::VectorXd> out) const {
  gaussian_linear_noise(theta, rng, out);
}

}  // namespace orrery::sbibm
