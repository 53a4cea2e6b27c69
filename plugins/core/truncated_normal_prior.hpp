// TruncatedNormalPrior ("core.truncated_normal"): N(mean, sd²) restricted to
// [min, max], properly normalised even when the interval lies far in a tail.
#pragma once

#include <orrery/context.hpp>
#include <orrery/prior.hpp>
#include <orrery/schema.hpp>

#include "truncated_standard_normal.hpp"

namespace orrery::core {

/// Normal density N(mean, sd²) truncated to [min, max] and renormalised,
/// applied elementwise to a block of any size. Either bound may be infinite
/// (TOML `inf`, `-inf`). Sampling is exact for any interval, including ones
/// many standard deviations from the mean.
class TruncatedNormalPrior final : public orrery::Prior {
 public:
  static orrery::Schema options();
  explicit TruncatedNormalPrior(orrery::Context& ctx);

  [[nodiscard]] std::size_t dimension() const override { return 0; }
  [[nodiscard]] double log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const override;
  void sample(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const override;
  [[nodiscard]] double lower() const override { return min_; }
  [[nodiscard]] double upper() const override { return max_; }
  [[nodiscard]] bool has_gradient() const override { return true; }
  double log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                           Eigen::Ref<Eigen::VectorXd> grad) const override;

 private:
  [[nodiscard]] bool inside(const Eigen::Ref<const Eigen::VectorXd>& x) const;

  double mean_;
  double sd_;
  double min_;
  double max_;
  TruncatedStandardNormal standard_;  ///< the same truncation in units of sd about the mean
  double log_norm_;                   ///< -log(sd) - log(sqrt(2π)) - log Z, per element
};

}  // namespace orrery::core
