#include "normal_prior.hpp"

#include <cmath>

#include "option_checks.hpp"
#include "standard_normal.hpp"

namespace orrery::core {

orrery::Schema NormalPrior::options() {
  using namespace orrery::option;
  return {real("mean").default_value(0.0).doc("mean of each element"),
          real("sd").required().greater_than(0.0).doc("standard deviation of each element (> 0)")};
}

NormalPrior::NormalPrior(orrery::Context& ctx)
    : mean_(finite_real(ctx.options(), "mean")),
      sd_(positive_real(ctx.options(), "sd")),
      log_norm_(-std::log(sd_) - kLogSqrtTwoPi) {}

double NormalPrior::log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  const double chi2 = ((x.array() - mean_) / sd_).square().sum();
  return -0.5 * chi2 + static_cast<double>(x.size()) * log_norm_;
}

void NormalPrior::sample(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const {
  for (Eigen::Index i = 0; i < out.size(); ++i) out[i] = rng.normal(mean_, sd_);
}

double NormalPrior::log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                                      Eigen::Ref<Eigen::VectorXd> grad) const {
  grad = -(x.array() - mean_) / (sd_ * sd_);
  return log_prob(x);
}

}  // namespace orrery::core
