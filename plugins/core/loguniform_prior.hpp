// LoguniformPrior ("core.loguniform"): every element with density ∝ 1/x on [min, max].
#pragma once

#include <orrery/context.hpp>
#include <orrery/prior.hpp>
#include <orrery/schema.hpp>

namespace orrery::core {

/// Log-uniform (reciprocal) density p(x) = 1 / (x log(max/min)) on
/// [min, max], 0 < min < max, applied elementwise to a block of any size:
/// log(x) is uniform on [log min, log max].
class LoguniformPrior final : public orrery::Prior {
 public:
  static orrery::Schema options();
  explicit LoguniformPrior(orrery::Context& ctx);

  [[nodiscard]] std::size_t dimension() const override { return 0; }
  [[nodiscard]] double log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const override;
  void sample(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const override;
  [[nodiscard]] double lower() const override { return min_; }
  [[nodiscard]] double upper() const override { return max_; }
  [[nodiscard]] bool has_gradient() const override { return true; }
  double log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                           Eigen::Ref<Eigen::VectorXd> grad) const override;

 private:
  double min_;
  double max_;
  double log_min_;
  double log_max_;
  double log_norm_;  ///< -log(log(max) - log(min)), per element
};

}  // namespace orrery::core
