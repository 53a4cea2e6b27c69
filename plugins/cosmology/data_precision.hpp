// DataPrecision: the inverse covariance C⁻¹ of a data vector, applied without
// forming dense inverses where the covariance is block-sparse.
//
// Two storage forms:
//   * from a cosmo::GaussianCovariance (C_ell in Orrery's pair-major layout,
//     index p · n_ell + l): one (pairs × pairs) inverse and Cholesky factor
//     per multipole, so C⁻¹ x costs n_ell small products;
//   * from any dense symmetric positive-definite matrix (other models' covariances).
// Immutable after construction: const methods are thread-safe and allocate nothing.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <vector>

#include "cosmo_core/gaussian_covariance.hpp"

namespace orrery::cosmology {

class DataPrecision {
 public:
  /// Block-sparse: from the per-multipole blocks of a Gaussian C_ell covariance.
  explicit DataPrecision(const cosmo::GaussianCovariance& covariance);
  /// Dense: throws orrery::Error if `covariance` is not square, finite and positive definite.
  explicit DataPrecision(const Eigen::MatrixXd& covariance);

  [[nodiscard]] Eigen::Index size() const { return size_; }
  [[nodiscard]] bool block_sparse() const { return n_pairs_ > 0; }

  /// out = C⁻¹ x (both of size()); out must not alias x.
  void apply(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> out) const;
  /// C⁻¹ X for the columns of X.
  [[nodiscard]] Eigen::MatrixXd apply(const Eigen::MatrixXd& x) const;
  /// xᵀ C⁻¹ x.
  [[nodiscard]] double quadratic_form(const Eigen::Ref<const Eigen::VectorXd>& x) const;
  /// out = L z with C = L Lᵀ: turns standard-normal draws z into draws with covariance C.
  void correlate(const Eigen::Ref<const Eigen::VectorXd>& z, Eigen::Ref<Eigen::VectorXd> out) const;

 private:
  using Strided = Eigen::InnerStride<Eigen::Dynamic>;

  Eigen::Index size_ = 0;
  Eigen::Index n_pairs_ = 0;  ///< 0 for the dense form
  Eigen::Index n_ell_ = 0;
  std::vector<Eigen::MatrixXd> inverse_;   ///< per multipole (block form)
  std::vector<Eigen::MatrixXd> cholesky_;  ///< lower factors per multipole (block form)
  Eigen::LLT<Eigen::MatrixXd> dense_;
};

}  // namespace orrery::cosmology
