// NormalPrior ("core.normal"): every element independently N(mean, sd²).
#pragma once

#include <orrery/context.hpp>
#include <orrery/prior.hpp>
#include <orrery/schema.hpp>

namespace orrery::core {

/// Normal density with mean `mean` and standard deviation `sd`, applied
/// elementwise to a block of any size (a scalar or a white-noise field).
class NormalPrior final : public orrery::Prior {
 public:
  static orrery::Schema options();
  explicit NormalPrior(orrery::Context& ctx);

  [[nodiscard]] std::size_t dimension() const override { return 0; }
  [[nodiscard]] double log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const override;
  void sample(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const override;
  [[nodiscard]] bool has_gradient() const override { return true; }
  double log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                           Eigen::Ref<Eigen::VectorXd> grad) const override;

 private:
  double mean_;
  double sd_;
  double log_norm_;  ///< -log(sd) - log(sqrt(2π)), per element
};

}  // namespace orrery::core
