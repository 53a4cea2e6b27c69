#include "uniform_prior.hpp"

#include <cmath>
#include <limits>

#include "option_checks.hpp"

namespace orrery::core {

orrery::Schema UniformPrior::options() {
  using namespace orrery::option;
  return {real("min").required().doc("lower end of the support (finite)"),
          real("max").required().doc("upper end of the support (finite, > min)")};
}

UniformPrior::UniformPrior(orrery::Context& ctx)
    : min_(finite_real(ctx.options(), "min")), max_(finite_real(ctx.options(), "max")) {
  if (!(max_ > min_))
    ctx.options().error("max", "must be greater than min = " + format_real(min_) + ", found " + format_real(max_));
  log_density_ = -std::log(max_ - min_);
}

bool UniformPrior::inside(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  // Written so that NaN counts as outside.
  return ((x.array() >= min_) && (x.array() <= max_)).all();
}

double UniformPrior::log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  if (!inside(x)) return -std::numeric_limits<double>::infinity();
  return static_cast<double>(x.size()) * log_density_;
}

void UniformPrior::sample(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const {
  for (Eigen::Index i = 0; i < out.size(); ++i) out[i] = rng.uniform(min_, max_);
}

double UniformPrior::log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                                       Eigen::Ref<Eigen::VectorXd> grad) const {
  grad.setZero();
  return log_prob(x);
}

}  // namespace orrery::core
