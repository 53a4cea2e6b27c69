// Target: an unnormalised log-density over a flat vector of free parameters,
// the thing samplers, optimisers and diagnostics work on.
//
// The kernel provides "@posterior" (priors from [parameters] plus every
// likelihood, over the sampled parameters); a plugin may provide others (a
// benchmark density, a learned posterior). Its space() names the coordinates,
// so chains can be labelled.
//
// Non-finite values mean "outside the support / rejected": samplers must treat
// -infinity and NaN as a rejection, never as a crash.
#pragma once

#include <Eigen/Core>

#include "orrery/component.hpp"
#include "orrery/error.hpp"
#include "orrery/parameter_space.hpp"
#include "orrery/random.hpp"

namespace orrery {

class ORRERY_API Target : public Component {
 public:
  static constexpr Kind kKind = Kind::Target;
  [[nodiscard]] Kind kind() const final { return kKind; }

  /// The coordinates of x. Its dimension() is the length of every x below.
  [[nodiscard]] virtual const ParameterSpace& space() const = 0;

  /// log density at x, up to a constant. Thread-safe.
  [[nodiscard]] virtual double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const = 0;

  [[nodiscard]] virtual bool has_gradient() const { return false; }
  /// Returns log_density(x) and overwrites `grad` with its gradient.
  /// Default: throws Error.
  virtual double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& /*x*/,
                                      Eigen::Ref<Eigen::VectorXd> /*grad*/) const {
    throw Error("this target has no gradient");
  }

  /// Batch evaluation, one column per point.
  virtual void log_density_batch(const Eigen::Ref<const Eigen::MatrixXd>& xs, Eigen::Ref<Eigen::VectorXd> out) const {
    for (Eigen::Index j = 0; j < xs.cols(); ++j) out[j] = log_density(xs.col(j));
  }

  /// Writes a starting point into `x`, for the posterior a draw from the prior.
  /// Implementations try to return a point of finite density and throw Error
  /// when they cannot find one; samplers should still check the density.
  virtual void initial_point(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const = 0;
};

}  // namespace orrery
