#include "neural_likelihood.hpp"

#include <string>

#include <orrery/error.hpp>

namespace orrery::sbi {

Schema NeuralLikelihood::options() { return common_options(10000); }

NeuralLikelihood::NeuralLikelihood(Context& ctx)
    : inputs_(read_inputs(ctx)),
      raw_observations_(read_observations(ctx, inputs_, 0)),
      likelihood_(*inputs_.estimator, inputs_.map) {}

void NeuralLikelihood::prepare(Context& ctx) {
  Eigen::MatrixXd observed = compress_columns(inputs_, raw_observations_, ctx.executor());
  if (!observed.allFinite()) throw Error("the compressor returned non-finite summaries of the observation");
  training_ = prepare_estimator(inputs_, Role::likelihood, ctx);
  if (observed.cols() > 1)
    ctx.logger().info("the observation holds " + std::to_string(observed.cols()) +
                      " i.i.d. data sets; their log-likelihoods add");
  likelihood_.set_observations(std::move(observed));
  prepared_ = true;
}

void NeuralLikelihood::require_prepared() const {
  if (!prepared_) throw Error("sbi.nle: the likelihood was evaluated before prepare() trained it");
}

double NeuralLikelihood::log_likelihood(const Eigen::Ref<const Eigen::VectorXd>& theta) const {
  require_prepared();
  return likelihood_.log_likelihood(theta);
}

double NeuralLikelihood::log_likelihood_gradient(const Eigen::Ref<const Eigen::VectorXd>& theta,
                                                 Eigen::Ref<Eigen::VectorXd> grad) const {
  require_prepared();
  return likelihood_.log_likelihood_gradient(theta, grad);
}

void NeuralLikelihood::log_likelihood_batch(const Eigen::Ref<const Eigen::MatrixXd>& thetas,
                                            Eigen::Ref<Eigen::VectorXd> out) const {
  require_prepared();
  likelihood_.log_likelihood_batch(thetas, out);
}

}  // namespace orrery::sbi
