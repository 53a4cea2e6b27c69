// UniformPrior ("core.uniform"): every element uniform on [min, max].
#pragma once

#include <orrery/context.hpp>
#include <orrery/prior.hpp>
#include <orrery/schema.hpp>

namespace orrery::core {

/// Uniform density 1 / (max - min) on [min, max], applied elementwise to a
/// block of any size.
class UniformPrior final : public orrery::Prior {
 public:
  static orrery::Schema options();
  explicit UniformPrior(orrery::Context& ctx);

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

  double min_;
  double max_;
  double log_density_;  ///< -log(max - min), per element
};

}  // namespace orrery::core
