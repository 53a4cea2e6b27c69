#include "slcp.hpp"

#include <algorithm>
#include <cmath>

namespace orrery::sbibm {

Slcp::Slcp(orrery::Context& ctx)
    : TaskSimulator(ctx, "slcp", {"theta_1", "theta_2", "theta_3", "theta_4", "theta_5"}, 2 * kDraws) {}

Eigen::Matrix2d Slcp::covariance(const Eigen::Ref<const Eigen::VectorXd>& theta) {
  const double s1 = theta[2] * theta[2];
  const double s2 = theta[3] * theta[3];
  const double rho = std::tanh(theta[4]);
  Eigen::Matrix2d s;
  s << s1 * s1 + kJitter, rho * s1 * s2, rho * s1 * s2, s2 * s2 + kJitter;
  return s;
}

void Slcp::run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
               Eigen::Ref<Eigen::VectorXd> out) const {
  // Cholesky factor of the 2×2 covariance, written out: S = L Lᵀ.
  const Eigen::Matrix2d s = covariance(theta);
  const double l11 = std::sqrt(s(0, 0));
  const double l21 = s(1, 0) / l11;
  const double l22 = std::sqrt(std::max(s(1, 1) - l21 * l21, 0.0));
  for (int k = 0; k < kDraws; ++k) {
    const double z1 = rng.normal();
    const double z2 = rng.normal();
    out[2 * k] = theta[0] + l11 * z1;
    out[2 * k + 1] = theta[1] + l21 * z1 + l22 * z2;
  }
}

}  // namespace orrery::sbibm
