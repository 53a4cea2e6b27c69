#include "neural_likelihood.hpp"

#include <string>

#include <orrery/error.hpp>

namespace orrery::sbi {

Schema NeuralLikelihood::options() { return common_options(10000); }

NeuralLikelihood::NeuralLikelihood(Context& ctx)
    : inputs_(read_inputs(ctx)), raw_observations_(read_observations(ctx, inputs_, 0)) {}

void NeuralLikelihood::prepare(Context& ctx) {
  observed_ = compress_columns(inputs_, raw_observations_, ctx.executor());
  if (!observed_.allFinite()) throw Error("the compressor returned non-finite summaries of the observation");
  training_ = prepare_estimator(inputs_, Role::likelihood, ctx);
  if (observed_.cols() > 1)
    ctx.logger().info("the observation holds " + std::to_string(observed_.cols()) +
                      " i.i.d. data sets; their log-likelihoods add");
  prepared_ = true;
}

void NeuralLikelihood::require_prepared() const {
  if (!prepared_) throw Error("sbi.nle: the likelihood was evaluated before prepare() trained it");
}

double NeuralLikelihood::log_likelihood(const Eigen::Ref<const Eigen::VectorXd>& theta) const {
  require_prepared();
  const Eigen::Index k = observed_.cols();
  thread_local Eigen::VectorXd x_free;
  thread_local Eigen::MatrixXd b;
  thread_local Eigen::VectorXd out;
  x_free.resize(static_cast<Eigen::Index>(inputs_.map.free_dimension()));
  inputs_.map.to_free(theta, x_free);
  b.resize(x_free.size(), k);
  b.colwise() = x_free;
  out.resize(k);
  inputs_.estimator->log_prob(observed_, b, out);
  return out.sum();
}

double NeuralLikelihood::log_likelihood_gradient(const Eigen::Ref<const Eigen::VectorXd>& theta,
                                                 Eigen::Ref<Eigen::VectorXd> grad) const {
  require_prepared();
  const Eigen::Index k = observed_.cols();
  thread_local Eigen::VectorXd x_free;
  thread_local Eigen::MatrixXd b, grad_a, grad_b;
  thread_local Eigen::VectorXd out;
  x_free.resize(static_cast<Eigen::Index>(inputs_.map.free_dimension()));
  inputs_.map.to_free(theta, x_free);
  b.resize(x_free.size(), k);
  b.colwise() = x_free;
  out.resize(k);
  grad_a.resize(observed_.rows(), k);
  grad_b.resize(x_free.size(), k);
  inputs_.estimator->log_prob_gradient(observed_, b, out, grad_a, grad_b);
  x_free = grad_b.rowwise().sum();  // reuse as the x_free gradient
  inputs_.map.gradient_to_full(x_free, grad);
  return out.sum();
}

void NeuralLikelihood::log_likelihood_batch(const Eigen::Ref<const Eigen::MatrixXd>& thetas,
                                            Eigen::Ref<Eigen::VectorXd> out) const {
  require_prepared();
  const Eigen::Index k = observed_.cols(), m = thetas.cols();
  const auto d = static_cast<Eigen::Index>(inputs_.map.free_dimension());
  thread_local Eigen::MatrixXd a, b;
  thread_local Eigen::VectorXd x_free, lp;
  a.resize(observed_.rows(), m * k);
  b.resize(d, m * k);
  x_free.resize(d);
  lp.resize(m * k);
  for (Eigen::Index i = 0; i < m; ++i) {
    inputs_.map.to_free(thetas.col(i), x_free);
    b.middleCols(i * k, k).colwise() = x_free;
    a.middleCols(i * k, k) = observed_;
  }
  inputs_.estimator->log_prob(a, b, lp);
  for (Eigen::Index i = 0; i < m; ++i) out[i] = lp.segment(i * k, k).sum();
}

}  // namespace orrery::sbi
