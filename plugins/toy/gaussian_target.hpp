// GaussianTarget ("toy.gaussian"): a d-dimensional Gaussian with a chosen
// condition number and a random (but seeded, so deterministic) rotation.
#pragma once

#include <Eigen/Core>
#include <cstdint>

#include <orrery/context.hpp>
#include <orrery/schema.hpp>

#include "toy_target.hpp"

namespace orrery::toy {

/// N(μ·1, Σ) with Σ = Q Λ Qᵀ: Λ has eigenvalues log-spaced from κ^(-1/2) to
/// κ^(1/2) (κ = condition_number, so the standard deviations along the
/// principal axes run from κ^(-1/4) to κ^(1/4)), and Q is a Haar-random
/// orthogonal matrix drawn from the `seed` option alone (not from the
/// analysis seed), so the density is the same in every run.
///
/// Exact moments: mean μ in every coordinate, sd_i = sqrt(Σ_ii).
/// With condition_number = 1, Σ = I whatever Q is: no matrix is built and a
/// gradient costs O(d), which makes a cheap high-dimensional test density.
/// Otherwise construction costs O(d³) (one QR) and a gradient O(d²).
///
/// Initial points: each coordinate independently uniform on μ ± 2 sd_i,
/// which is over-dispersed in every marginal but ignores the correlations.
class GaussianTarget final : public ToyTarget {
 public:
  static orrery::Schema options();
  explicit GaussianTarget(orrery::Context& ctx);

  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override;
  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                              Eigen::Ref<Eigen::VectorXd> grad) const override;
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override;

  /// The full covariance Σ (identity when condition_number = 1).
  [[nodiscard]] Eigen::MatrixXd covariance() const;

 private:
  struct Settings;
  explicit GaussianTarget(const Settings& settings);

  bool isotropic_;
  Eigen::MatrixXd covariance_;       ///< Σ; empty when isotropic
  Eigen::MatrixXd minus_precision_;  ///< −Σ⁻¹; empty when isotropic
  Eigen::VectorXd minus_precision_mean_;  ///< −Σ⁻¹ μ
};

}  // namespace orrery::toy
