#include "learned_likelihood.hpp"

namespace orrery::sbi {

namespace {
/// θ_free of the full `theta`, repeated in k columns: the estimator's
/// conditions for k observations (thread-local scratch, reused per thread).
const Eigen::MatrixXd& repeated_free(const ParameterMap& map, const Eigen::Ref<const Eigen::VectorXd>& theta,
                                     Eigen::Index k) {
  thread_local Eigen::VectorXd x_free;
  thread_local Eigen::MatrixXd b;
  x_free.resize(static_cast<Eigen::Index>(map.free_dimension()));
  map.to_free(theta, x_free);
  b.resize(x_free.size(), k);
  b.colwise() = x_free;
  return b;
}
}  // namespace

double LearnedLikelihood::log_likelihood(const Eigen::Ref<const Eigen::VectorXd>& theta) const {
  const Eigen::Index k = observed_.cols();
  thread_local Eigen::VectorXd out;
  out.resize(k);
  q_.log_prob(observed_, repeated_free(map_, theta, k), out);
  return out.sum();
}

double LearnedLikelihood::log_likelihood_gradient(const Eigen::Ref<const Eigen::VectorXd>& theta,
                                                  Eigen::Ref<Eigen::VectorXd> grad) const {
  const Eigen::Index k = observed_.cols();
  const Eigen::MatrixXd& b = repeated_free(map_, theta, k);
  thread_local Eigen::MatrixXd grad_a, grad_b;
  thread_local Eigen::VectorXd out, grad_free;
  out.resize(k);
  grad_a.resize(observed_.rows(), k);
  grad_b.resize(b.rows(), k);
  q_.log_prob_gradient(observed_, b, out, grad_a, grad_b);
  grad_free = grad_b.rowwise().sum();
  map_.gradient_to_full(grad_free, grad);
  return out.sum();
}

void LearnedLikelihood::log_likelihood_batch(const Eigen::Ref<const Eigen::MatrixXd>& thetas,
                                             Eigen::Ref<Eigen::VectorXd> out) const {
  const auto d = static_cast<Eigen::Index>(map_.free_dimension());
  thread_local Eigen::MatrixXd free;
  free.resize(d, thetas.cols());
  for (Eigen::Index i = 0; i < thetas.cols(); ++i) map_.to_free(thetas.col(i), free.col(i));
  log_likelihood_free_batch(free, out);
}

void LearnedLikelihood::log_likelihood_free_batch(const Eigen::Ref<const Eigen::MatrixXd>& thetas_free,
                                                  Eigen::Ref<Eigen::VectorXd> out) const {
  const Eigen::Index k = observed_.cols(), m = thetas_free.cols();
  thread_local Eigen::MatrixXd a, b;
  thread_local Eigen::VectorXd lp;
  a.resize(observed_.rows(), m * k);
  b.resize(thetas_free.rows(), m * k);
  lp.resize(m * k);
  for (Eigen::Index i = 0; i < m; ++i) {
    b.middleCols(i * k, k).colwise() = thetas_free.col(i);
    a.middleCols(i * k, k) = observed_;
  }
  q_.log_prob(a, b, lp);
  for (Eigen::Index i = 0; i < m; ++i) out[i] = lp.segment(i * k, k).sum();
}

}  // namespace orrery::sbi
