// LearnedLikelihood: the likelihood of an observation under a fitted
// conditional density q(x | θ_free), as sbi.nle and sbi.snle evaluate it:
//
//   log L(θ) = Σ_{j=1..k} log q(x_obs,j | θ_free)
//
// over the k columns of the observed data (compressed when there is a
// compressor), θ_free taken from the full θ by name (parameter_map.hpp).
//
// Not a component: the owner sets the observation once the estimator is
// fitted and calls the methods below. They are const and thread-safe (the
// estimator's evaluations are, by the DensityEstimator contract); scratch is
// thread_local, so nothing is allocated after a thread's first call of a
// given size. The estimator may be refitted between calls (sbi.snle refits it
// every round): the evaluations always use its current state.
#pragma once

#include <Eigen/Core>

#include <orrery/density_estimator.hpp>

#include "simulation_library.hpp"

namespace orrery::sbi {

class LearnedLikelihood {
 public:
  /// `q` models the data (a) given θ_free (b); `q` and `map` must outlive this object.
  LearnedLikelihood(const DensityEstimator& q, const ParameterMap& map) : q_(q), map_(map) {}

  /// The observed data as the estimator sees it: data size × k.
  void set_observations(Eigen::MatrixXd observed) { observed_ = std::move(observed); }
  [[nodiscard]] const Eigen::MatrixXd& observations() const { return observed_; }

  /// log L at a full θ.
  [[nodiscard]] double log_likelihood(const Eigen::Ref<const Eigen::VectorXd>& theta) const;
  /// log L at a full θ and its gradient over the full vector (zero on fixed parameters); needs q's gradient.
  double log_likelihood_gradient(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::VectorXd> grad) const;
  /// log L of every column of `thetas` (full vectors), in one estimator call.
  void log_likelihood_batch(const Eigen::Ref<const Eigen::MatrixXd>& thetas, Eigen::Ref<Eigen::VectorXd> out) const;
  /// log L of every column of `thetas_free` (free vectors, the prior target's space), in one estimator call.
  void log_likelihood_free_batch(const Eigen::Ref<const Eigen::MatrixXd>& thetas_free,
                                 Eigen::Ref<Eigen::VectorXd> out) const;

 private:
  const DensityEstimator& q_;
  const ParameterMap& map_;
  Eigen::MatrixXd observed_;
};

}  // namespace orrery::sbi
