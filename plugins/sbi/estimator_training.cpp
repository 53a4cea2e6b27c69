#include "estimator_training.hpp"

#include <orrery/error.hpp>

#include "forwarding_context.hpp"
#include "simulation_library.hpp"

namespace orrery::sbi {

namespace {

constexpr const char* kEstimatorArtifact = "estimator";
constexpr const char* kSimulationArtifact = "simulations";

}  // namespace

void check_estimator_dimensions(const SbiInputs& in, Role role, const std::string& where) {
  const std::size_t theta = in.map.free_dimension(), data = in.data_size();
  const std::size_t want_a = role == Role::likelihood ? data : theta;
  const std::size_t want_b = role == Role::likelihood ? theta : data;
  if (in.estimator->dim_a() != want_a || in.estimator->dim_b() != want_b)
    throw Error("the estimator in '" + where + "' models a of size " + std::to_string(in.estimator->dim_a()) +
                " given b of size " + std::to_string(in.estimator->dim_b()) + ", expected " + std::to_string(want_a) +
                " and " + std::to_string(want_b) + "; rerun with --no-cache");
}

void require_training_pairs(std::size_t pairs, std::size_t requested) {
  if (pairs < kMinimumTrainingPairs)
    throw Error("too few simulations to train the density estimator: " + std::to_string(pairs) + " of " +
                std::to_string(requested) + " succeeded, and at least " + std::to_string(kMinimumTrainingPairs) +
                " are needed; raise 'simulations'");
}

void fit_estimator(const SbiInputs& in, Role role, const Eigen::Ref<const Eigen::MatrixXd>& theta,
                   const Eigen::Ref<const Eigen::MatrixXd>& data, std::size_t requested, Context& ctx) {
  const auto pairs = static_cast<std::size_t>(data.cols());
  require_training_pairs(pairs, requested);
  ForwardingContext fit_ctx(ctx, ctx.rng().split("estimator"));
  ctx.logger().info("training the density estimator on " + std::to_string(pairs) + " pairs (" +
                    (role == Role::likelihood ? "q(x | θ)" : "q(θ | x)") + ")");
  if (role == Role::likelihood)
    in.estimator->fit(data, theta, fit_ctx);
  else
    in.estimator->fit(theta, data, fit_ctx);
  check_estimator_dimensions(in, role, "fit()");
}

TrainingSummary prepare_estimator(const SbiInputs& in, Role role, Context& ctx) {
  TrainingSummary summary;
  if (const auto found = ctx.cache().find(kEstimatorArtifact)) {
    in.estimator->load(*found);
    check_estimator_dimensions(in, role, found->string());
    summary.reused_estimator = true;
    if (const auto sims = ctx.cache().find(kSimulationArtifact)) {
      const CampaignCounts counts = read_campaign_counts(*sims);
      summary.requested = counts.requested;
      summary.failed = counts.failed;
      summary.pairs = counts.succeeded;
      summary.reused_simulations = true;
    }
    ctx.logger().info("reusing the trained estimator from the cache: " + found->string());
    return summary;
  }

  CampaignSettings settings;
  settings.simulations = in.simulations;
  settings.max_failed_fraction = in.max_failed_fraction;
  settings.artifact = kSimulationArtifact;
  const SimulationSet set = run_campaign(*in.simulator, *in.prior, in.map, settings, ctx);
  summary.requested = set.requested;
  summary.failed = set.failed;
  summary.pairs = static_cast<std::size_t>(set.x.cols());
  summary.reused_simulations = set.reused;
  require_training_pairs(summary.pairs, summary.requested);
  const Eigen::MatrixXd data = compress_columns(in, set.x, ctx.executor());
  if (!data.allFinite()) throw Error("the compressor returned non-finite summaries of some simulations");
  fit_estimator(in, role, set.theta, data, summary.requested, ctx);

  const std::filesystem::path staging = ctx.cache().create(kEstimatorArtifact);
  in.estimator->save(staging);
  ctx.cache().commit(kEstimatorArtifact);
  return summary;
}

}  // namespace orrery::sbi
