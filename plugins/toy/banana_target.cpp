#include "banana_target.hpp"

#include <cmath>

namespace orrery::toy {

orrery::Schema BananaTarget::options() {
  using namespace orrery::option;
  return {integer("dimension").default_value(2).range(2, 100000).doc("number of coordinates d"),
          real("b").default_value(0.1).doc("twist (Haario et al.: 0.03 moderately, 0.1 strongly twisted)")};
}

BananaTarget::BananaTarget(orrery::Context& ctx)
    : BananaTarget(static_cast<Eigen::Index>(ctx.options().integer("dimension")), finite_option(ctx.options(), "b")) {}

namespace {
Eigen::VectorXd banana_sd(Eigen::Index d, double b) {
  Eigen::VectorXd sd = Eigen::VectorXd::Ones(d);
  sd[0] = std::sqrt(BananaTarget::kVariance1);
  sd[1] = std::sqrt(1.0 + 2.0 * b * b * BananaTarget::kVariance1 * BananaTarget::kVariance1);
  return sd;
}
}  // namespace

BananaTarget::BananaTarget(Eigen::Index d, double b)
    : ToyTarget(numbered_names("x", 1, d), Eigen::VectorXd::Zero(d), banana_sd(d, b)), b_(b) {}

double BananaTarget::log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  const double x1 = x[0];
  const double u = x[1] + b_ * (x1 * x1 - kVariance1);  // y2
  return -0.5 * (x1 * x1 / kVariance1 + u * u + x.tail(x.size() - 2).squaredNorm());
}

double BananaTarget::log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                                          Eigen::Ref<Eigen::VectorXd> grad) const {
  const double x1 = x[0];
  const double u = x[1] + b_ * (x1 * x1 - kVariance1);
  grad[0] = -x1 / kVariance1 - 2.0 * b_ * x1 * u;
  grad[1] = -u;
  grad.tail(x.size() - 2) = -x.tail(x.size() - 2);
  return -0.5 * (x1 * x1 / kVariance1 + u * u + x.tail(x.size() - 2).squaredNorm());
}

void BananaTarget::initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const {
  uniform_box(rng, exact_mean(), 2.0 * exact_sd(), x);
}

}  // namespace orrery::toy
