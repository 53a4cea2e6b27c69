#include "data_precision.hpp"

#include <orrery/error.hpp>

namespace orrery::cosmology {

DataPrecision::DataPrecision(const cosmo::GaussianCovariance& covariance)
    : size_(covariance.size()),
      n_pairs_(static_cast<Eigen::Index>(covariance.pairs().size())),
      n_ell_(covariance.n_ell()) {
  inverse_.reserve(static_cast<std::size_t>(n_ell_));
  cholesky_.reserve(static_cast<std::size_t>(n_ell_));
  for (Eigen::Index l = 0; l < n_ell_; ++l) {
    const Eigen::LLT<Eigen::MatrixXd> llt(covariance.block(l));
    if (llt.info() != Eigen::Success)
      throw Error("the C_ell covariance is not positive definite at multipole index " + std::to_string(l));
    Eigen::MatrixXd inverse = llt.solve(Eigen::MatrixXd::Identity(n_pairs_, n_pairs_));
    inverse_.push_back(0.5 * (inverse + inverse.transpose()));
    cholesky_.emplace_back(llt.matrixL());
  }
}

DataPrecision::DataPrecision(const Eigen::MatrixXd& covariance) : size_(covariance.rows()) {
  if (covariance.rows() != covariance.cols())
    throw Error("the data covariance must be square, found " + std::to_string(covariance.rows()) + "×" +
                std::to_string(covariance.cols()));
  if (!covariance.allFinite()) throw Error("the data covariance has a non-finite entry");
  dense_.compute(0.5 * (covariance + covariance.transpose()));
  if (dense_.info() != Eigen::Success) throw Error("the data covariance is not positive definite");
}

void DataPrecision::apply(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> out) const {
  if (!block_sparse()) {
    out = x;
    dense_.solveInPlace(out);
    return;
  }
  for (Eigen::Index l = 0; l < n_ell_; ++l) {
    const Eigen::Map<const Eigen::VectorXd, 0, Strided> xl(x.data() + l, n_pairs_, Strided(n_ell_));
    Eigen::Map<Eigen::VectorXd, 0, Strided> ol(out.data() + l, n_pairs_, Strided(n_ell_));
    ol.noalias() = inverse_[static_cast<std::size_t>(l)] * xl;
  }
}

Eigen::MatrixXd DataPrecision::apply(const Eigen::MatrixXd& x) const {
  Eigen::MatrixXd out(x.rows(), x.cols());
  for (Eigen::Index c = 0; c < x.cols(); ++c) apply(x.col(c), out.col(c));
  return out;
}

double DataPrecision::quadratic_form(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  if (!block_sparse()) {
    // ‖L⁻¹ x‖² without allocating beyond one vector per thread.
    thread_local Eigen::VectorXd y;
    y = x;
    dense_.matrixL().solveInPlace(y);
    return y.squaredNorm();
  }
  double sum = 0.0;
  for (Eigen::Index l = 0; l < n_ell_; ++l) {
    const Eigen::Map<const Eigen::VectorXd, 0, Strided> xl(x.data() + l, n_pairs_, Strided(n_ell_));
    for (Eigen::Index p = 0; p < n_pairs_; ++p) sum += xl[p] * inverse_[static_cast<std::size_t>(l)].row(p).dot(xl);
  }
  return sum;
}

void DataPrecision::correlate(const Eigen::Ref<const Eigen::VectorXd>& z, Eigen::Ref<Eigen::VectorXd> out) const {
  if (!block_sparse()) {
    out.noalias() = dense_.matrixL() * z;
    return;
  }
  for (Eigen::Index l = 0; l < n_ell_; ++l) {
    const Eigen::Map<const Eigen::VectorXd, 0, Strided> zl(z.data() + l, n_pairs_, Strided(n_ell_));
    Eigen::Map<Eigen::VectorXd, 0, Strided> ol(out.data() + l, n_pairs_, Strided(n_ell_));
    ol.noalias() = cholesky_[static_cast<std::size_t>(l)].triangularView<Eigen::Lower>() * zl;
  }
}

}  // namespace orrery::cosmology
