#include "mdn_model.hpp"

#include <cmath>
#include <numbers>

#include "nn/dense.hpp"

namespace orrery::nde {

namespace {

double log_sum_exp(const Eigen::Ref<const Eigen::VectorXd>& x) {
  const double m = x.maxCoeff();
  if (!std::isfinite(m)) return m;
  return m + std::log((x.array() - m).exp().sum());
}

}  // namespace

MdnModel::MdnModel(const MdnArchitecture& arch, RandomStream& rng) : arch_(arch) {
  const Eigen::Index D = arch.dim_a, K = arch.components;
  const Eigen::Index outputs = K + K * D + K * D * (D + 1) / 2;
  const nn::Init init = arch.activation == nn::ActivationKind::relu ? nn::Init::he_normal : nn::Init::glorot_uniform;
  Eigen::Index in = arch.dim_b;
  for (Eigen::Index l = 0; l < arch.layers; ++l) {
    net_.emplace<nn::Dense<double>>(in, arch.hidden, rng, init);
    net_.emplace<nn::Activation<double>>(arch.activation);
    in = arch.hidden;
  }
  auto& head = net_.emplace<nn::Dense<double>>(in, outputs, rng, nn::Init::glorot_uniform);
  // A small output layer starts every component near N(0, I) in standardised
  // units with equal weights, so the first steps are well conditioned.
  head.weight() *= 0.1;
  u_.setZero(D, D);
  delta_.resize(D);
  z_.resize(D);
  lk_.resize(K);
}

Eigen::Index MdnModel::factor_offset(Eigen::Index k) const {
  const Eigen::Index D = arch_.dim_a;
  return arch_.components + arch_.components * D + k * (D * (D + 1) / 2);
}

void MdnModel::fill_factor(const double* row, Eigen::Index k) {
  const Eigen::Index D = arch_.dim_a;
  const double* f = row + factor_offset(k);
  for (Eigen::Index j = 0; j < D; ++j) u_(j, j) = std::exp(f[j]);
  Eigen::Index p = D;
  for (Eigen::Index j = 0; j < D; ++j)
    for (Eigen::Index l = j + 1; l < D; ++l) u_(j, l) = f[p++];
}

void MdnModel::forward(const Mat& a, const Mat& b, Eigen::VectorXd& log_q) {
  const Eigen::Index n = a.rows(), D = arch_.dim_a, K = arch_.components;
  a_ = a;
  out_ = net_.forward(b);
  resp_.resize(n, K);
  log_pi_.resize(n, K);
  log_q.resize(n);
  const double norm = -0.5 * static_cast<double>(D) * std::log(2.0 * std::numbers::pi);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double* row = out_.row(i).data();
    const Eigen::VectorXd logits = out_.row(i).head(K).transpose();
    const double lse_logits = log_sum_exp(logits);
    for (Eigen::Index k = 0; k < K; ++k) {
      fill_factor(row, k);
      for (Eigen::Index j = 0; j < D; ++j) delta_(j) = a(i, j) - row[mean_offset(k) + j];
      z_.noalias() = u_.triangularView<Eigen::Upper>() * delta_;
      const double log_det = Eigen::Map<const Eigen::VectorXd>(row + factor_offset(k), D).sum();
      log_pi_(i, k) = logits(k) - lse_logits;
      lk_(k) = log_pi_(i, k) + norm + log_det - 0.5 * z_.squaredNorm();
    }
    log_q(i) = log_sum_exp(lk_);
    resp_.row(i) = (lk_.array() - log_q(i)).exp().matrix().transpose();
  }
}

void MdnModel::backward(const Eigen::VectorXd& w, Mat& grad_a, Mat& grad_b) {
  const Eigen::Index n = a_.rows(), D = arch_.dim_a, K = arch_.components;
  grad_out_.setZero(n, out_.cols());
  grad_a.setZero(n, D);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double* row = out_.row(i).data();
    double* g = grad_out_.row(i).data();
    for (Eigen::Index k = 0; k < K; ++k) {
      const double r = w(i) * resp_(i, k);
      g[k] = w(i) * (resp_(i, k) - std::exp(log_pi_(i, k)));
      fill_factor(row, k);
      for (Eigen::Index j = 0; j < D; ++j) delta_(j) = a_(i, j) - row[mean_offset(k) + j];
      z_.noalias() = u_.triangularView<Eigen::Upper>() * delta_;
      const Eigen::VectorXd utz = u_.triangularView<Eigen::Upper>().transpose() * z_;
      for (Eigen::Index j = 0; j < D; ++j) {
        g[mean_offset(k) + j] = r * utz(j);
        grad_a(i, j) -= r * utz(j);
      }
      double* gf = g + factor_offset(k);
      for (Eigen::Index j = 0; j < D; ++j) gf[j] = r * (1.0 - z_(j) * delta_(j) * u_(j, j));
      Eigen::Index p = D;
      for (Eigen::Index j = 0; j < D; ++j)
        for (Eigen::Index l = j + 1; l < D; ++l) gf[p++] = -r * z_(j) * delta_(l);
    }
  }
  grad_b = net_.backward(grad_out_);
}

void MdnModel::sample(const Mat& b, RandomStream& rng, Mat& out) {
  const Eigen::Index D = arch_.dim_a, K = arch_.components;
  const Mat row_out = net_.forward(b);
  const double* row = row_out.data();
  Eigen::VectorXd pi = row_out.row(0).head(K).transpose();
  pi = (pi.array() - log_sum_exp(pi)).exp();
  Eigen::VectorXd eps(D);
  for (Eigen::Index s = 0; s < out.rows(); ++s) {
    const double u = rng.uniform();
    Eigen::Index k = 0;
    for (double c = pi(0); k + 1 < K && u >= c; c += pi(++k)) {
    }
    fill_factor(row, k);
    for (Eigen::Index j = 0; j < D; ++j) eps(j) = rng.normal();
    u_.triangularView<Eigen::Upper>().solveInPlace(eps);
    for (Eigen::Index j = 0; j < D; ++j) out(s, j) = row[mean_offset(k) + j] + eps(j);
  }
}

std::string MdnModel::describe() const {
  return "mdn(dim_a=" + std::to_string(arch_.dim_a) + ",dim_b=" + std::to_string(arch_.dim_b) +
         ",components=" + std::to_string(arch_.components) + ",net=" + net_.describe() + ")";
}

}  // namespace orrery::nde
