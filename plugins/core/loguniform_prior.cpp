#include "loguniform_prior.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "option_checks.hpp"

namespace orrery::core {

orrery::Schema LoguniformPrior::options() {
  using namespace orrery::option;
  return {real("min").required().greater_than(0.0).doc("lower end of the support (> 0)"),
          real("max").required().doc("upper end of the support (> min)")};
}

LoguniformPrior::LoguniformPrior(orrery::Context& ctx)
    : min_(positive_real(ctx.options(), "min")), max_(positive_real(ctx.options(), "max")) {
  if (!(max_ > min_))
    ctx.options().error("max", "must be greater than min = " + format_real(min_) + ", found " + format_real(max_));
  log_min_ = std::log(min_);
  log_max_ = std::log(max_);
  // log(max) - log(min) rather than log(max / min), which could overflow.
  log_norm_ = -std::log(log_max_ - log_min_);
}

double LoguniformPrior::log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  // Written so that NaN counts as outside.
  if (!((x.array() >= min_) && (x.array() <= max_)).all()) return -std::numeric_limits<double>::infinity();
  return -x.array().log().sum() + static_cast<double>(x.size()) * log_norm_;
}

void LoguniformPrior::sample(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const {
  for (Eigen::Index i = 0; i < out.size(); ++i)
    // exp may round a hair past the ends; keep the support exact.
    out[i] = std::clamp(std::exp(rng.uniform(log_min_, log_max_)), min_, max_);
}

double LoguniformPrior::log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                                          Eigen::Ref<Eigen::VectorXd> grad) const {
  grad = -x.array().inverse();
  return log_prob(x);
}

}  // namespace orrery::core
