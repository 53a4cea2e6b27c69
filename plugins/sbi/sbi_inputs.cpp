#include "sbi_inputs.hpp"

#include <orrery/prior.hpp>

#include <cmath>
#include <string>

#include <orrery/error.hpp>

namespace orrery::sbi {

Schema common_options(std::int64_t simulations_default) {
  using namespace orrery::option;
  return {reference("simulator", Kind::Simulator).required().doc("the forward model θ → x"),
          reference("prior", Kind::Target)
              .default_value("@prior")
              .doc("where training θ come from (initial_point draws) and the prior support (log_density); "
                   "the built-in @prior draws exactly from the priors of the free parameters"),
          reference("estimator", Kind::DensityEstimator)
              .required()
              .doc("the conditional density estimator to train, e.g. { plugin = \"nde.maf\" }"),
          reference("compressor", Kind::Compressor)
              .doc("optional: compresses every simulation and the observation before the estimator sees them"),
          integer("simulations")
              .default_value(simulations_default)
              .min(static_cast<double>(kMinimumTrainingPairs))
              .doc("simulations in the training campaign (failed ones are excluded; at least " +
                   std::to_string(kMinimumTrainingPairs) + " must succeed)"),
          real("max_failed_fraction")
              .default_value(0.5)
              .range(0.0, 1.0)
              .doc("stop with an error when more than this fraction of the simulations fail")};
}

SbiInputs read_inputs(Context& ctx) {
  const Options& o = ctx.options();
  SbiInputs in;
  in.simulator = &ctx.ref<Simulator>("simulator");
  Target& prior = ctx.ref<Target>("prior");
  in.prior = &prior;
  // Simulating from an improper prior (core.flat) would train on its starting
  // points, not on prior draws: refuse, naming the parameters.
  if (const std::string improper = improper_parameters(prior); !improper.empty())
    o.error("prior", "simulation-based inference draws training parameters from the prior, but the prior of " +
                         improper + " is improper (e.g. core.flat), so it cannot be sampled: give " + improper +
                         " a proper prior (uniform with finite bounds, normal, ...)");
  in.estimator = &ctx.ref<DensityEstimator>("estimator");
  if (ctx.reference_count("compressor") > 0) in.compressor = &ctx.ref<Compressor>("compressor");
  in.simulations = static_cast<std::size_t>(o.integer("simulations"));
  in.max_failed_fraction = o.real("max_failed_fraction");
  if (in.simulator->output_size() == 0) o.error("simulator", "the simulator's output is empty");
  if (in.prior->space().dimension() == 0) o.error("prior", "the prior target has no free parameters");
  try {
    in.map = ParameterMap(in.prior->space(), ctx.parameters());
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& e) {
    o.error("prior", e.what());
  }
  if (in.compressor != nullptr && in.compressor->summary_size() == 0)
    o.error("compressor", "the compressor's summary is empty");
  return in;
}

Eigen::MatrixXd read_observations(Context& ctx, const SbiInputs& inputs, std::size_t max_observations) {
  const Array* obs = ctx.observation();
  const std::string who = "component '" + ctx.name() + "' (" + ctx.plugin() + ")";
  if (obs == nullptr)
    throw ConfigError({}, who + " needs observed data: add [observation] file = \"<data file>\" (.npy or text)");
  const std::size_t d = inputs.simulator->output_size();
  const std::size_t n = obs->size();
  const std::string shapes = "the observation has shape " + shape_string(obs->shape) + " (" + std::to_string(n) +
                             " values), the simulator's output has shape " +
                             shape_string(inputs.simulator->output_shape()) + " (" + std::to_string(d) + " values)";
  if (n == 0 || n % d != 0)
    throw ConfigError({}, who + ": " + shapes + "; the observation must hold k ≥ 1 whole simulator outputs");
  const std::size_t k = n / d;
  if (max_observations != 0 && k > max_observations)
    throw ConfigError({}, who + ": " + shapes + ", that is " + std::to_string(k) +
                              " observations, but this component takes at most " + std::to_string(max_observations));
  if (!obs->values.allFinite()) throw ConfigError({}, who + ": the observation holds non-finite values");
  return Eigen::Map<const Eigen::MatrixXd>(obs->values.data(), static_cast<Eigen::Index>(d),
                                           static_cast<Eigen::Index>(k));
}

Eigen::MatrixXd compress_columns(const SbiInputs& inputs, const Eigen::Ref<const Eigen::MatrixXd>& x,
                                 Executor& executor) {
  if (inputs.compressor == nullptr) return x;
  Eigen::MatrixXd out(static_cast<Eigen::Index>(inputs.compressor->summary_size()), x.cols());
  executor.parallel_for(static_cast<std::size_t>(x.cols()), [&](std::size_t j) {
    const auto c = static_cast<Eigen::Index>(j);
    inputs.compressor->compress(x.col(c), out.col(c));
  });
  return out;
}

}  // namespace orrery::sbi
