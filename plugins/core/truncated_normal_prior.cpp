#include "truncated_normal_prior.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "option_checks.hpp"
#include "standard_normal.hpp"

namespace orrery::core {
namespace {

/// The real option `key`, which may be ±infinity but not NaN.
double bound(const orrery::Options& options, std::string_view key) {
  const double value = options.real(key);
  if (std::isnan(value)) options.error(key, "must be a number or ±inf, found nan");
  return value;
}

/// Checks the options and returns the standardised truncation interval.
TruncatedStandardNormal standardised(const orrery::Options& options) {
  const double mean = finite_real(options, "mean");
  const double sd = positive_real(options, "sd");
  const double min = bound(options, "min");
  const double max = bound(options, "max");
  if (!(max > min))
    options.error("max", "must be greater than min = " + format_real(min) + ", found " + format_real(max));
  TruncatedStandardNormal standard((min - mean) / sd, (max - mean) / sd);
  if (!std::isfinite(standard.log_mass()))
    options.error("min", "the interval [" + format_real(min) + ", " + format_real(max) +
                             "] holds no probability of N(" + format_real(mean) + ", " + format_real(sd) +
                             "²) in double precision");
  return standard;
}

}  // namespace

orrery::Schema TruncatedNormalPrior::options() {
  using namespace orrery::option;
  return {real("mean").default_value(0.0).doc("mean of the untruncated normal"),
          real("sd").required().greater_than(0.0).doc("standard deviation of the untruncated normal (> 0)"),
          real("min").required().doc("lower truncation bound (may be -inf)"),
          real("max").required().doc("upper truncation bound (> min; may be inf)")};
}

TruncatedNormalPrior::TruncatedNormalPrior(orrery::Context& ctx)
    : mean_(ctx.options().real("mean")),
      sd_(ctx.options().real("sd")),
      min_(ctx.options().real("min")),
      max_(ctx.options().real("max")),
      standard_(standardised(ctx.options())),
      log_norm_(-std::log(sd_) - kLogSqrtTwoPi - standard_.log_mass()) {}

bool TruncatedNormalPrior::inside(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  // Written so that NaN counts as outside.
  return ((x.array() >= min_) && (x.array() <= max_)).all();
}

double TruncatedNormalPrior::log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  if (!inside(x)) return -std::numeric_limits<double>::infinity();
  const double chi2 = ((x.array() - mean_) / sd_).square().sum();
  return -0.5 * chi2 + static_cast<double>(x.size()) * log_norm_;
}

void TruncatedNormalPrior::sample(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const {
  for (Eigen::Index i = 0; i < out.size(); ++i)
    // Rounding in mean + sd z must not step outside [min, max].
    out[i] = std::clamp(mean_ + sd_ * standard_.sample(rng), min_, max_);
}

double TruncatedNormalPrior::log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                                               Eigen::Ref<Eigen::VectorXd> grad) const {
  grad = -(x.array() - mean_) / (sd_ * sd_);
  return log_prob(x);
}

}  // namespace orrery::core
