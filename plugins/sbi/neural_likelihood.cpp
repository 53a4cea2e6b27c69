#include "neural_likelihood.hpp"

#include <string>

#include <orrery/error.hpp>

namespace orrery::sbi {

Schema NeuralLikelihood::options() { return common_options(10000); }

NeuralLikelihood::NeuralLikelihood(Context& ctx) : EstimatedLikelihood(ctx, "sbi.nle") {}

void NeuralLikelihood::prepare(Context& ctx) {
  Eigen::MatrixXd observed = compress_columns(inputs_, raw_observations_, ctx.executor());
  if (!observed.allFinite()) throw Error("the compressor returned non-finite summaries of the observation");
  training_ = prepare_estimator(inputs_, Role::likelihood, ctx);
  if (observed.cols() > 1)
    ctx.logger().info("the observation holds " + std::to_string(observed.cols()) +
                      " i.i.d. data sets; their log-likelihoods add");
  likelihood_.set_observations(std::move(observed));
  mark_prepared();
}

}  // namespace orrery::sbi
