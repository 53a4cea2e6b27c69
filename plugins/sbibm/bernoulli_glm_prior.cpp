#include "bernoulli_glm_prior.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include <orrery/error.hpp>

namespace orrery::sbibm {
namespace {

void check_size(Eigen::Index size, const char* what) {
  if (size != kGlmParameters)
    throw orrery::Error(std::string("sbibm.bernoulli_glm_prior: ") + what + " has " + std::to_string(size) +
                        " elements, the prior is defined for " + std::to_string(kGlmParameters));
}

}  // namespace

GlmMatrix BernoulliGlmPrior::precision() {
  constexpr int m = kGlmParameters - 1;  // filter taps
  Eigen::Matrix<double, m, m> d = Eigen::Matrix<double, m, m>::Identity();
  for (int i = 1; i < m; ++i) d(i, i - 1) = -1.0;
  Eigen::Matrix<double, m, m> f = d * d;
  for (int i = 0; i < m; ++i) f(i, i) += std::sqrt(static_cast<double>(i) / m);
  GlmMatrix p = GlmMatrix::Zero();
  p(0, 0) = 0.5;
  p.bottomRightCorner<m, m>() = f.transpose() * f;
  return p;
}

BernoulliGlmPrior::BernoulliGlmPrior(orrery::Context& /*ctx*/)
    : precision_(precision()), cholesky_(precision_) {
  if (cholesky_.info() != Eigen::Success) throw orrery::Error("sbibm.bernoulli_glm_prior: precision is not positive definite");
  const double log_det = 2.0 * cholesky_.matrixL().toDenseMatrix().diagonal().array().log().sum();
  log_norm_ = 0.5 * log_det - 0.5 * kGlmParameters * std::log(2.0 * std::numbers::pi);
}

double BernoulliGlmPrior::log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  check_size(x.size(), "θ");
  const Eigen::Matrix<double, kGlmParameters, 1> v = x;
  return log_norm_ - 0.5 * v.dot(precision_ * v);
}

void BernoulliGlmPrior::sample(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const {
  check_size(out.size(), "the output");
  Eigen::Matrix<double, kGlmParameters, 1> z;
  for (int i = 0; i < kGlmParameters; ++i) z[i] = rng.normal();
  // Cov(L⁻ᵀ z) = L⁻ᵀ L⁻¹ = (L Lᵀ)⁻¹ = P⁻¹.
  cholesky_.matrixU().solveInPlace(z);
  out = z;
}

double BernoulliGlmPrior::log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                                            Eigen::Ref<Eigen::VectorXd> grad) const {
  check_size(x.size(), "θ");
  check_size(grad.size(), "the gradient");
  const Eigen::Matrix<double, kGlmParameters, 1> v = x;
  const Eigen::Matrix<double, kGlmParameters, 1> pv = precision_ * v;
  grad = -pv;
  return log_norm_ - 0.5 * v.dot(pv);
}

}  // namespace orrery::sbibm
