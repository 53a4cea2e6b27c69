#include "two_moons.hpp"

#include <cmath>
#include <numbers>

namespace orrery::sbibm {

TwoMoons::TwoMoons(orrery::Context& ctx) : TaskSimulator(ctx, "two_moons", {"theta_1", "theta_2"}, 2) {}

void TwoMoons::run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
                   Eigen::Ref<Eigen::VectorXd> out) const {
  const double a = rng.uniform(-0.5 * std::numbers::pi, 0.5 * std::numbers::pi);
  const double r = rng.normal(kRadiusMean, kRadiusSd);
  const double inv_sqrt2 = 1.0 / std::numbers::sqrt2;
  out[0] = r * std::cos(a) + kShift - std::abs(theta[0] + theta[1]) * inv_sqrt2;
  out[1] = r * std::sin(a) + (theta[1] - theta[0]) * inv_sqrt2;
}

}  // namespace orrery::sbibm
