#include "lognormal_prior.hpp"

#include <cmath>

#include "option_checks.hpp"
#include "standard_normal.hpp"

namespace orrery::core {

orrery::Schema LognormalPrior::options() {
  using namespace orrery::option;
  return {real("mu").default_value(0.0).doc("mean of log(x)"),
          real("sigma").required().greater_than(0.0).doc("standard deviation of log(x) (> 0)")};
}

LognormalPrior::LognormalPrior(orrery::Context& ctx)
    : mu_(finite_real(ctx.options(), "mu")),
      sigma_(positive_real(ctx.options(), "sigma")),
      log_norm_(-std::log(sigma_) - kLogSqrtTwoPi) {}

double LognormalPrior::log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  // The support is x > 0 (x = 0 has density 0); NaN counts as outside.
  if (!(x.array() > 0.0).all()) return -std::numeric_limits<double>::infinity();
  double sum = 0.0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double log_x = std::log(x[i]);
    const double z = (log_x - mu_) / sigma_;
    sum += -0.5 * z * z - log_x;
  }
  return sum + static_cast<double>(x.size()) * log_norm_;
}

void LognormalPrior::sample(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const {
  for (Eigen::Index i = 0; i < out.size(); ++i) out[i] = std::exp(rng.normal(mu_, sigma_));
}

double LognormalPrior::log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                                         Eigen::Ref<Eigen::VectorXd> grad) const {
  // d/dx [-(log x - mu)²/(2 sigma²) - log x] = -(1 + (log x - mu)/sigma²) / x
  for (Eigen::Index i = 0; i < x.size(); ++i)
    grad[i] = -(1.0 + (std::log(x[i]) - mu_) / (sigma_ * sigma_)) / x[i];
  return log_prob(x);
}

}  // namespace orrery::core
