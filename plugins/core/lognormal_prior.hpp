// LognormalPrior ("core.lognormal"): every element x > 0 with log(x) ~ N(mu, sigma²).
#pragma once

#include <limits>

#include <orrery/context.hpp>
#include <orrery/prior.hpp>
#include <orrery/schema.hpp>

namespace orrery::core {

/// Log-normal density p(x) = exp(-(log x - mu)² / (2 sigma²)) / (x sigma sqrt(2π))
/// on x > 0, applied elementwise to a block of any size.
class LognormalPrior final : public orrery::Prior {
 public:
  static orrery::Schema options();
  explicit LognormalPrior(orrery::Context& ctx);

  [[nodiscard]] std::size_t dimension() const override { return 0; }
  [[nodiscard]] double log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const override;
  void sample(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const override;
  [[nodiscard]] double lower() const override { return 0.0; }
  [[nodiscard]] double upper() const override { return std::numeric_limits<double>::infinity(); }
  [[nodiscard]] bool has_gradient() const override { return true; }
  double log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                           Eigen::Ref<Eigen::VectorXd> grad) const override;

 private:
  double mu_;
  double sigma_;
  double log_norm_;  ///< -log(sigma) - log(sqrt(2π)), per element
};

}  // namespace orrery::core
