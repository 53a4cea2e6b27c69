#include "rosenbrock_target.hpp"

#include <cmath>

namespace orrery::toy {

orrery::Schema RosenbrockTarget::options() { return {}; }

RosenbrockTarget::RosenbrockTarget(orrery::Context& /*ctx*/) : RosenbrockTarget() {}

RosenbrockTarget::RosenbrockTarget()
    : ToyTarget({"x1", "x2"}, Eigen::Vector2d(1.0, 11.0), Eigen::Vector2d(std::sqrt(10.0), std::sqrt(240.1))) {}

double RosenbrockTarget::log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  const double ridge = x[1] - x[0] * x[0];
  const double offset = 1.0 - x[0];
  return -(100.0 * ridge * ridge + offset * offset) / 20.0;
}

double RosenbrockTarget::log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                                              Eigen::Ref<Eigen::VectorXd> grad) const {
  const double ridge = x[1] - x[0] * x[0];
  const double offset = 1.0 - x[0];
  grad[0] = 20.0 * ridge * x[0] + offset / 10.0;
  grad[1] = -10.0 * ridge;
  return -(100.0 * ridge * ridge + offset * offset) / 20.0;
}

void RosenbrockTarget::initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const {
  uniform_box(rng, exact_mean(), 2.0 * exact_sd(), x);
}

}  // namespace orrery::toy
