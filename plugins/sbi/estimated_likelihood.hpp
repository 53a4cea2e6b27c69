// EstimatedLikelihood: the Likelihood side that sbi.nle and sbi.snle share.
// It reads the sbi inputs and the observation at construction, holds the
// LearnedLikelihood that evaluates log L(θ) = Σ_j log q(x_obs,j | θ_free) on
// the (compressed) observation, and forwards the Likelihood evaluations to
// it. The evaluations throw Error ("<label>: the likelihood was evaluated
// before prepare() trained it") until the derived prepare() calls
// mark_prepared(); the derived class may use `likelihood_` directly before
// that (sbi.snle does, for its proposals).
//
// Thread safety as LearnedLikelihood: the const evaluations may run
// concurrently. The gradient is available when the estimator has one.
#pragma once

#include <Eigen/Core>
#include <string>
#include <utility>

#include <orrery/context.hpp>
#include <orrery/error.hpp>
#include <orrery/likelihood.hpp>

#include "learned_likelihood.hpp"
#include "sbi_inputs.hpp"

namespace orrery::sbi {

class EstimatedLikelihood : public Likelihood {
 public:
  [[nodiscard]] double log_likelihood(const Eigen::Ref<const Eigen::VectorXd>& theta) const final {
    require_prepared();
    return likelihood_.log_likelihood(theta);
  }
  [[nodiscard]] bool has_gradient() const final { return inputs_.estimator->has_gradient(); }
  double log_likelihood_gradient(const Eigen::Ref<const Eigen::VectorXd>& theta,
                                 Eigen::Ref<Eigen::VectorXd> grad) const final {
    require_prepared();
    return likelihood_.log_likelihood_gradient(theta, grad);
  }
  void log_likelihood_batch(const Eigen::Ref<const Eigen::MatrixXd>& thetas,
                            Eigen::Ref<Eigen::VectorXd> out) const final {
    require_prepared();
    likelihood_.log_likelihood_batch(thetas, out);
  }

  /// The observed data as the estimator sees it (data_size × k); after prepare().
  [[nodiscard]] const Eigen::MatrixXd& observations() const { return likelihood_.observations(); }

 protected:
  /// Reads the inputs and the observation of `ctx`; `label` ("sbi.nle") names the component in errors.
  EstimatedLikelihood(Context& ctx, std::string label)
      : inputs_(read_inputs(ctx)),
        raw_observations_(read_observations(ctx, inputs_, 0)),
        likelihood_(*inputs_.estimator, inputs_.map),
        label_(std::move(label)) {}

  /// The evaluations may be called from now on.
  void mark_prepared() { prepared_ = true; }

  SbiInputs inputs_;
  Eigen::MatrixXd raw_observations_;  ///< output_size × k, as read
  LearnedLikelihood likelihood_;      ///< the formulas, on the (compressed) observation

 private:
  void require_prepared() const {
    if (!prepared_) throw Error(label_ + ": the likelihood was evaluated before prepare() trained it");
  }

  std::string label_;
  bool prepared_ = false;
};

}  // namespace orrery::sbi
