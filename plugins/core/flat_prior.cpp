#include "flat_prior.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "option_checks.hpp"

namespace orrery::core {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The real option `key`, which may be ±infinity but not NaN.
double bound(const orrery::Options& options, std::string_view key) {
  const double value = options.real(key);
  if (std::isnan(value)) options.error(key, "must be a number or ±inf, found nan");
  return value;
}

}  // namespace

orrery::Schema FlatPrior::options() {
  using namespace orrery::option;
  return {real("min").default_value(-kInf).doc("lower end of the support (may be -inf)"),
          real("max").default_value(kInf).doc("upper end of the support (> min; may be inf)")};
}

FlatPrior::FlatPrior(orrery::Context& ctx)
    : min_(bound(ctx.options(), "min")), max_(bound(ctx.options(), "max")) {
  if (!(max_ > min_))
    ctx.options().error("max", "must be greater than min = " + format_real(min_) + ", found " + format_real(max_));
}

double FlatPrior::log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  // Written so that NaN counts as outside.
  const bool inside = ((x.array() >= min_) && (x.array() <= max_)).all();
  return inside ? 0.0 : -kInf;
}

double FlatPrior::constrain(double u) const {
  const bool has_min = std::isfinite(min_);
  const bool has_max = std::isfinite(max_);
  if (!has_min && !has_max) return u;
  if (!has_max) return min_ + std::exp(u);
  if (!has_min) return max_ - std::exp(u);
  const double s = 1.0 / (1.0 + std::exp(-u));
  // max - min overflows for bounds near ±DBL_MAX; the convex combination does not.
  const double width = max_ - min_;
  const double x = std::isfinite(width) ? min_ + width * s : (1.0 - s) * min_ + s * max_;
  return std::clamp(x, min_, max_);  // rounding must not step outside the support
}

void FlatPrior::sample(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const {
  for (Eigen::Index i = 0; i < out.size(); ++i) out[i] = constrain(rng.uniform(-kInitialRadius, kInitialRadius));
}

double FlatPrior::log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> grad) const {
  grad.setZero();
  return log_prob(x);
}

}  // namespace orrery::core
