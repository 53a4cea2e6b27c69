// Likelihood: log p(data | θ) as a function of the full parameter vector.
//
// θ is laid out as the kernel's full ParameterSpace (Context::parameters()),
// fixed parameters included; look indices up by name at construction. The
// kernel composes "@posterior" = priors + every likelihood.
//
// Non-finite results are allowed and mean "rejected": return -infinity (or
// NaN) where the model cannot be evaluated; the kernel counts these and
// reports them in the summary rather than failing the run.
#pragma once

#include <Eigen/Core>

#include "orrery/component.hpp"
#include "orrery/error.hpp"

namespace orrery {

class ORRERY_API Likelihood : public Component {
 public:
  static constexpr Kind kKind = Kind::Likelihood;
  [[nodiscard]] Kind kind() const final { return kKind; }

  /// log p(data | theta), up to a constant independent of theta. Thread-safe.
  [[nodiscard]] virtual double log_likelihood(const Eigen::Ref<const Eigen::VectorXd>& theta) const = 0;

  [[nodiscard]] virtual bool has_gradient() const { return false; }
  /// Returns log_likelihood(theta) and overwrites `grad` (full dimension) with
  /// its gradient. Default: throws Error.
  virtual double log_likelihood_gradient(const Eigen::Ref<const Eigen::VectorXd>& /*theta*/,
                                         Eigen::Ref<Eigen::VectorXd> /*grad*/) const {
    throw Error("this likelihood has no gradient");
  }

  /// Batch evaluation: one column of `thetas` per point, results into `out`.
  /// Override when points can share work (vectorised or batched networks).
  virtual void log_likelihood_batch(const Eigen::Ref<const Eigen::MatrixXd>& thetas,
                                    Eigen::Ref<Eigen::VectorXd> out) const {
    for (Eigen::Index j = 0; j < thetas.cols(); ++j) out[j] = log_likelihood(thetas.col(j));
  }
};

}  // namespace orrery
