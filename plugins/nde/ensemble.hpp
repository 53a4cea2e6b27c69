// nde.ensemble: a weighted mixture of other DensityEstimator components,
//   q(a | b) = Σ_k w_k q_k(a | b).
//
// fit() splits the pairs once (validation_fraction, default 0.1, the same
// convention as the network estimators' early-stopping split), fits every
// member in order on the training part only, and weights them by their total
// log-likelihood on the held-out part:
//   w_k ∝ exp(Σ_{i∈val} log q_k(a_i | b_i)) = exp(N_val · mean log q_k),
// i.e. a softmax of total validation log-likelihood (the posterior model
// probability under equal priors, as pydelfi does; sbi-style stacking, which
// maximises the mixture's own validation likelihood, is not implemented).
// With hundreds of validation pairs this concentrates on the best member
// unless members are nearly tied. Members are weighted on pairs they never
// trained on: weighting on training pairs would favour the member that
// overfits most. Members are not refitted on the validation part afterwards
// (that would change the models the weights were measured for).
//
// A member that gives a non-finite validation log-likelihood gets weight 0.
// log q uses log-sum-exp over members with w_k > 0; the gradient is
// Σ_k r_k ∇ log q_k with r_k = w_k q_k / q; sample() draws a member with
// probability w_k for each column. save()/load(): ensemble.txt (weights) plus
// each member's own files in member-<k>/. Thread-safe once fitted if the
// members are.
#pragma once

#include <vector>

#include "orrery/context.hpp"
#include "orrery/density_estimator.hpp"
#include "orrery/schema.hpp"

namespace orrery::nde {

class Ensemble final : public DensityEstimator {
 public:
  static Schema options();
  explicit Ensemble(Context& ctx);

  void fit(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
           Context& ctx) override;
  [[nodiscard]] bool fitted() const override;
  [[nodiscard]] std::size_t dim_a() const override { return members_.front()->dim_a(); }
  [[nodiscard]] std::size_t dim_b() const override { return members_.front()->dim_b(); }

  void log_prob(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                Eigen::Ref<Eigen::VectorXd> out) const override;
  void sample(const Eigen::Ref<const Eigen::VectorXd>& b, RandomStream& rng,
              Eigen::Ref<Eigen::MatrixXd> out) const override;
  /// True when every member has a gradient.
  [[nodiscard]] bool has_gradient() const override;
  void log_prob_gradient(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                         Eigen::Ref<Eigen::VectorXd> out, Eigen::Ref<Eigen::MatrixXd> grad_a,
                         Eigen::Ref<Eigen::MatrixXd> grad_b) const override;

  void save(const std::filesystem::path& dir) const override;
  void load(const std::filesystem::path& dir) override;

  /// w_k, in the order of `members` (empty before fit/load).
  [[nodiscard]] const Eigen::VectorXd& weights() const { return weights_; }
  /// Mean validation log q_k of each member from the last fit() (empty after load()).
  [[nodiscard]] const Eigen::VectorXd& validation_log_likelihood() const { return validation_mean_; }

 private:
  void require_fitted(const char* what) const;
  // Each active member's log q into rows of `lq` (members × n).
  void member_log_probs(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                        Eigen::MatrixXd& lq) const;

  std::vector<DensityEstimator*> members_;  // owned by the kernel, which outlives this component's use
  double validation_fraction_ = 0.1;
  Eigen::VectorXd weights_, validation_mean_;
};

}  // namespace orrery::nde
