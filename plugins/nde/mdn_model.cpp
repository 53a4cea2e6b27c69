#include "mdn_model.hpp"

#include <cmath>
#include <numbers>

#include "nn/dense.hpp"

namespace orrery::nde {

namespace {

template <typename V>
typename V::Scalar log_sum_exp(const V& x) {
  const auto m = x.maxCoeff();
  if (!std::isfinite(m)) return m;
  return m + std::log((x.array() - m).exp().sum());
}

}  // namespace

template <typename T>
MdnModel<T>::MdnModel(const MdnArchitecture& arch, RandomStream& rng) : arch_(arch) {
  const Eigen::Index D = arch.dim_a, K = arch.components;
  const Eigen::Index outputs = K + K * D + K * D * (D + 1) / 2;
  const nn::Init init = arch.activation == nn::ActivationKind::relu ? nn::Init::he_normal : nn::Init::glorot_uniform;
  Eigen::Index in = arch.dim_b;
  for (Eigen::Index l = 0; l < arch.layers; ++l) {
    net_.template emplace<nn::Dense<T>>(in, arch.hidden, rng, init);
    net_.template emplace<nn::Activation<T>>(arch.activation);
    in = arch.hidden;
  }
  auto& head = net_.template emplace<nn::Dense<T>>(in, outputs, rng, nn::Init::glorot_uniform);
  // A small output layer starts every component near N(0, I) in standardised
  // units with equal weights, so the first steps are well conditioned.
  head.weight() *= 0.1;
  u_.setZero(D, D);
  delta_.resize(D);
  z_.resize(D);
  lk_.resize(K);
  utz_.resize(D);
}

template <typename T>
Eigen::Index MdnModel<T>::factor_offset(Eigen::Index k) const {
  const Eigen::Index D = arch_.dim_a;
  return arch_.components + arch_.components * D + k * (D * (D + 1) / 2);
}

template <typename T>
void MdnModel<T>::fill_factor(const T* row, Eigen::Index k) {
  const Eigen::Index D = arch_.dim_a;
  const T* f = row + factor_offset(k);
  for (Eigen::Index j = 0; j < D; ++j) u_(j, j) = std::exp(f[j]);
  Eigen::Index p = D;
  for (Eigen::Index j = 0; j < D; ++j)
    for (Eigen::Index l = j + 1; l < D; ++l) u_(j, l) = f[p++];
}

template <typename T>
void MdnModel<T>::forward(const Mat& a, const Mat& b, Vec& log_q) {
  const Eigen::Index n = a.rows(), D = arch_.dim_a, K = arch_.components;
  a_ = a;
  out_ = net_.forward(b);
  resp_.resize(n, K);
  log_pi_.resize(n, K);
  log_q.resize(n);
  const T norm = static_cast<T>(-0.5 * static_cast<double>(D) * std::log(2.0 * std::numbers::pi));
  for (Eigen::Index i = 0; i < n; ++i) {
    const T* row = out_.row(i).data();
    const T lse_logits = log_sum_exp(out_.row(i).head(K));
    for (Eigen::Index k = 0; k < K; ++k) {
      fill_factor(row, k);
      for (Eigen::Index j = 0; j < D; ++j) delta_(j) = a(i, j) - row[mean_offset(k) + j];
      z_.noalias() = u_.template triangularView<Eigen::Upper>() * delta_;
      const T log_det = Eigen::Map<const Vec>(row + factor_offset(k), D).sum();
      log_pi_(i, k) = row[k] - lse_logits;
      lk_(k) = log_pi_(i, k) + norm + log_det - T(0.5) * z_.squaredNorm();
    }
    log_q(i) = log_sum_exp(lk_);
    resp_.row(i) = (lk_.array() - log_q(i)).exp().matrix().transpose();
  }
}

template <typename T>
void MdnModel<T>::backward(const Vec& w, Mat& grad_a, Mat& grad_b) {
  const Eigen::Index n = a_.rows(), D = arch_.dim_a, K = arch_.components;
  grad_out_.setZero(n, out_.cols());
  grad_a.setZero(n, D);
  for (Eigen::Index i = 0; i < n; ++i) {
    const T* row = out_.row(i).data();
    T* g = grad_out_.row(i).data();
    for (Eigen::Index k = 0; k < K; ++k) {
      const T r = w(i) * resp_(i, k);
      g[k] = w(i) * (resp_(i, k) - std::exp(log_pi_(i, k)));
      fill_factor(row, k);
      for (Eigen::Index j = 0; j < D; ++j) delta_(j) = a_(i, j) - row[mean_offset(k) + j];
      z_.noalias() = u_.template triangularView<Eigen::Upper>() * delta_;
      utz_.noalias() = u_.template triangularView<Eigen::Upper>().transpose() * z_;
      for (Eigen::Index j = 0; j < D; ++j) {
        g[mean_offset(k) + j] = r * utz_(j);
        grad_a(i, j) -= r * utz_(j);
      }
      T* gf = g + factor_offset(k);
      for (Eigen::Index j = 0; j < D; ++j) gf[j] = r * (T(1) - z_(j) * delta_(j) * u_(j, j));
      Eigen::Index p = D;
      for (Eigen::Index j = 0; j < D; ++j)
        for (Eigen::Index l = j + 1; l < D; ++l) gf[p++] = -r * z_(j) * delta_(l);
    }
  }
  grad_b = net_.backward(grad_out_);
}

template <typename T>
void MdnModel<T>::sample(const Mat& b, RandomStream& rng, Mat& out) {
  const Eigen::Index D = arch_.dim_a, K = arch_.components;
  const Mat row_out = net_.forward(b);
  const T* row = row_out.data();
  Eigen::VectorXd pi = row_out.row(0).head(K).transpose().template cast<double>();
  pi = (pi.array() - log_sum_exp(pi)).exp();
  Vec eps(D);
  for (Eigen::Index s = 0; s < out.rows(); ++s) {
    const double u = rng.uniform();
    Eigen::Index k = 0;
    for (double c = pi(0); k + 1 < K && u >= c; c += pi(++k)) {
    }
    fill_factor(row, k);
    for (Eigen::Index j = 0; j < D; ++j) eps(j) = static_cast<T>(rng.normal());
    u_.template triangularView<Eigen::Upper>().solveInPlace(eps);
    for (Eigen::Index j = 0; j < D; ++j) out(s, j) = row[mean_offset(k) + j] + eps(j);
  }
}

template <typename T>
std::string MdnModel<T>::describe() const {
  return "mdn(dim_a=" + std::to_string(arch_.dim_a) + ",dim_b=" + std::to_string(arch_.dim_b) +
         ",components=" + std::to_string(arch_.components) + ",net=" + net_.describe() + ")";
}

template class MdnModel<float>;
template class MdnModel<double>;

}  // namespace orrery::nde
