// FlatPrior ("core.flat"): the improper uniform density on [min, max].
#pragma once

#include <orrery/context.hpp>
#include <orrery/prior.hpp>
#include <orrery/schema.hpp>

namespace orrery::core {

/// Constant density on [min, max], applied elementwise to a block of any
/// size; either bound may be infinite (the defaults), so the density need not
/// integrate to one. This is what Stan assumes for a parameter without a
/// prior statement.
///
/// IMPROPER: the unnormalised log_prob is 0 inside the support and -inf
/// outside. It is meant for posteriors whose likelihood makes them proper.
/// Since no draw from an improper density exists, sample() draws an *initial
/// point* the way Stan does: u uniform on (-2, 2) in the unconstrained space,
/// mapped to x = u (no bounds), min + exp(u) (lower bound only),
/// max - exp(u) (upper bound only) or min + (max - min)·logistic(u) (both).
/// Never use those draws as prior-predictive simulations.
class FlatPrior final : public orrery::Prior {
 public:
  /// Half-width of the interval, in the unconstrained space, that initial
  /// points are drawn from (Stan's default `init = 2`).
  static constexpr double kInitialRadius = 2.0;

  static orrery::Schema options();
  explicit FlatPrior(orrery::Context& ctx);

  [[nodiscard]] std::size_t dimension() const override { return 0; }
  [[nodiscard]] double log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const override;
  /// An initial point, not a draw from the (improper) density: see the class comment.
  void sample(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const override;
  [[nodiscard]] double lower() const override { return min_; }
  /// Marks this prior as improper (orrery.improper_prior/1, see prior.hpp).
  void* extension(std::string_view name) override { return name == orrery::kImproperPriorExtension ? this : nullptr; }
  [[nodiscard]] double upper() const override { return max_; }
  [[nodiscard]] bool has_gradient() const override { return true; }
  double log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                           Eigen::Ref<Eigen::VectorXd> grad) const override;

 private:
  /// Maps an unconstrained u to the support [min, max].
  [[nodiscard]] double constrain(double u) const;

  double min_;
  double max_;
};

}  // namespace orrery::core
