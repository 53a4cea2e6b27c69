// LearnedPosterior: the Target of sbi.npe, q(θ | x_obs) restricted to the
// prior's support.
//
//   log_density(θ) = log q(θ | x_obs)   where prior.log_density(θ) is finite,
//                    −∞                 elsewhere (outside the prior's support).
//
// It is not normalised over the support (the mass q puts outside, the
// "leakage", is not divided out; sbi.npe divides it out of its chain's
// log_density, where the rejection step has estimated it). Its space() is the prior target's free
// space, so chains are labelled like any posterior. initial_point() draws from
// q until a draw lands inside the support (Error after 1000 tries).
//
// Not a registered component: sbi.npe owns one and returns it as its
// Sampler::target(). Usable once set_observation() was called on a fitted
// estimator; const methods are thread-safe (thread_local scratch).
#pragma once

#include <Eigen/Core>
#include <cmath>

#include <orrery/density_estimator.hpp>
#include <orrery/target.hpp>

namespace orrery::sbi {

class LearnedPosterior final : public Target {
 public:
  /// `q` models θ (a) given data (b); both must outlive this object.
  LearnedPosterior(const DensityEstimator& q, const Target& prior) : q_(q), prior_(prior) {}

  /// The data the posterior is conditioned on (the estimator's dim_b()).
  void set_observation(Eigen::VectorXd data) { data_ = std::move(data); }
  [[nodiscard]] const Eigen::VectorXd& observation() const { return data_; }

  [[nodiscard]] const ParameterSpace& space() const override { return prior_.space(); }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& theta) const override;
  void log_density_batch(const Eigen::Ref<const Eigen::MatrixXd>& thetas, Eigen::Ref<Eigen::VectorXd> out) const override;
  [[nodiscard]] bool has_gradient() const override { return q_.has_gradient(); }
  /// Inside the support: the gradient of log q with respect to θ; outside: −∞ and a zero gradient.
  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& theta,
                              Eigen::Ref<Eigen::VectorXd> grad) const override;
  void initial_point(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta) const override;

  /// log q(θ_j | x_obs) of every column, without the support check.
  void log_q(const Eigen::Ref<const Eigen::MatrixXd>& thetas, Eigen::Ref<Eigen::VectorXd> out) const;
  /// Whether θ is inside the prior's support (finite prior log-density).
  [[nodiscard]] bool in_support(const Eigen::Ref<const Eigen::VectorXd>& theta) const {
    return std::isfinite(prior_.log_density(theta));
  }
  /// out.cols() draws from q(θ | x_obs), no support check.
  void sample(RandomStream& rng, Eigen::Ref<Eigen::MatrixXd> out) const { q_.sample(data_, rng, out); }

 private:
  void require_observation() const;

  const DensityEstimator& q_;
  const Target& prior_;
  Eigen::VectorXd data_;
};

}  // namespace orrery::sbi
