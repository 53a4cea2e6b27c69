// GaussianLikelihood ("core.gaussian_likelihood"): a multivariate normal
// log-density over a selection of scalar parameters.
#pragma once

#include <string>
#include <vector>

#include <orrery/context.hpp>
#include <orrery/likelihood.hpp>
#include <orrery/schema.hpp>

namespace orrery::core {

/// log L(θ) = log N(θ_sel; mean, cov), normalisation included, where θ_sel
/// are the scalar parameters named by `parameters` (by default the first
/// len(mean) scalar parameters of the analysis, in order). The Cholesky factor
/// and log-determinant of `cov` are computed once at construction; evaluation
/// allocates nothing after a thread's first call.
class GaussianLikelihood final : public orrery::Likelihood {
 public:
  static orrery::Schema options();
  explicit GaussianLikelihood(orrery::Context& ctx);

  [[nodiscard]] double log_likelihood(const Eigen::Ref<const Eigen::VectorXd>& theta) const override;
  [[nodiscard]] bool has_gradient() const override { return true; }
  double log_likelihood_gradient(const Eigen::Ref<const Eigen::VectorXd>& theta,
                                 Eigen::Ref<Eigen::VectorXd> grad) const override;

  /// Flat indices, in the full parameter space, of θ_sel (in the order of `mean`).
  [[nodiscard]] const std::vector<Eigen::Index>& indices() const { return indices_; }

 private:
  /// Writes L⁻¹(θ_sel - mean), the whitened residual, into `out` (size k).
  void whiten(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::VectorXd> out) const;
  void check_size(const Eigen::Ref<const Eigen::VectorXd>& theta) const;

  std::string name_;
  Eigen::VectorXd mean_;
  Eigen::MatrixXd cholesky_;  ///< lower-triangular L with cov = L Lᵀ
  std::vector<Eigen::Index> indices_;
  Eigen::Index full_dimension_;
  double log_norm_;  ///< -k/2 log(2π) - 1/2 log det cov
};

}  // namespace orrery::core
