#include "sequential_neural_likelihood.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include <orrery/error.hpp>

#include "simulation_library.hpp"

namespace orrery::sbi {

namespace {

constexpr const char* kEstimatorArtifact = "estimator";

std::string fixed(double v, const char* format = "%.3g") {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string vector_string(const Eigen::VectorXd& v) {
  constexpr Eigen::Index kShown = 6;
  std::string s = "(";
  for (Eigen::Index i = 0; i < std::min(v.size(), kShown); ++i) s += (i ? ", " : "") + fixed(v[i], "%.4g");
  if (v.size() > kShown) s += ", ...";
  return s + ")";
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

ProposalSettings read_proposal_settings(const Context& ctx, std::size_t dimension) {
  const Options& o = ctx.options();
  ProposalSettings s;
  s.walkers = static_cast<std::size_t>(o.integer("proposal_walkers"));
  s.warmup = static_cast<std::size_t>(o.integer("proposal_warmup"));
  s.thin = static_cast<std::size_t>(o.integer("proposal_thin"));
  s.candidates = static_cast<std::size_t>(o.integer("proposal_candidates"));
  const std::size_t minimum = std::max<std::size_t>(4, 2 * dimension);
  if (s.walkers < minimum)
    o.error("proposal_walkers", "the ensemble needs at least max(4, 2 × the " + std::to_string(dimension) +
                                    " free parameters) = " + std::to_string(minimum) + " walkers, got " +
                                    std::to_string(s.walkers));
  if (s.candidates < s.walkers)
    o.error("proposal_candidates", "must be at least proposal_walkers = " + std::to_string(s.walkers) + ", got " +
                                       std::to_string(s.candidates));
  return s;
}

}  // namespace

Schema SequentialNeuralLikelihood::options() {
  using namespace orrery::option;
  Schema schema = common_options(1000);
  for (OptionSpec& spec : schema)
    if (spec.key == "simulations")
      spec.documentation = "simulations per round (failed ones are excluded; at least " +
                           std::to_string(kMinimumTrainingPairs) + " must succeed in round 1)";
    else if (spec.key == "max_failed_fraction")
      spec.documentation = "stop with an error when more than this fraction of a round's simulations fail";
  schema.push_back(integer("rounds").default_value(10).min(1).doc(
      "rounds of simulations; round 1 draws θ from the prior, every later one from the current posterior "
      "estimate (MCMC); rounds = 1 is sbi.nle"));
  schema.push_back(integer("proposal_walkers")
                       .default_value(100)
                       .min(4)
                       .doc("walkers of the proposal's ensemble MCMC (at least twice the free parameters)"));
  schema.push_back(
      integer("proposal_warmup").default_value(200).min(0).doc("ensemble steps discarded before the draws are kept"));
  schema.push_back(
      integer("proposal_thin").default_value(10).min(1).doc("ensemble steps between kept positions of the walkers"));
  schema.push_back(integer("proposal_candidates")
                       .default_value(10000)
                       .min(4)
                       .doc("prior draws weighted by the learned likelihood, from which the walkers start "
                            "(sampling-importance-resampling without replacement)"));
  return schema;
}

SequentialNeuralLikelihood::SequentialNeuralLikelihood(Context& ctx)
    : EstimatedLikelihood(ctx, "sbi.snle"),
      rounds_(static_cast<std::size_t>(ctx.options().integer("rounds"))),
      proposal_(*inputs_.prior, read_proposal_settings(ctx, inputs_.map.free_dimension())) {}

std::string SequentialNeuralLikelihood::round_artifact(std::size_t round) {
  return "simulations-round-" + std::to_string(round);
}

void SequentialNeuralLikelihood::train(const Eigen::MatrixXd& theta, const Eigen::MatrixXd& data,
                                       std::size_t requested, std::size_t round, Context& ctx) {
  const auto start = std::chrono::steady_clock::now();
  ctx.logger().info("round " + std::to_string(round) + "/" + std::to_string(rounds_) + ": retraining from scratch on " +
                    "the simulations of rounds 1-" + std::to_string(round));
  fit_estimator(inputs_, Role::likelihood, theta, data, requested, ctx);
  ++fits_;
  ctx.logger().info("round " + std::to_string(round) + "/" + std::to_string(rounds_) + ": trained on " +
                    std::to_string(data.cols()) + " pairs in " + fixed(seconds_since(start), "%.2f") + " s");
}

void SequentialNeuralLikelihood::prepare(Context& ctx) {
  Eigen::MatrixXd observed = compress_columns(inputs_, raw_observations_, ctx.executor());
  if (!observed.allFinite()) throw Error("the compressor returned non-finite summaries of the observation");
  likelihood_.set_observations(std::move(observed));
  summaries_.clear();
  training_ = TrainingSummary{};
  fits_ = 0;
  const auto dim = static_cast<Eigen::Index>(inputs_.map.free_dimension());
  const auto dim_x = static_cast<Eigen::Index>(inputs_.simulator->output_size());
  const std::string of_rounds = "/" + std::to_string(rounds_);

  if (const auto found = ctx.cache().find(kEstimatorArtifact)) {
    inputs_.estimator->load(*found);
    check_estimator_dimensions(inputs_, Role::likelihood, found->string());
    training_.reused_estimator = true;
    for (std::size_t r = 1; r <= rounds_; ++r) {
      const auto sims = ctx.cache().find(round_artifact(r));
      if (!sims) break;
      const CampaignCounts counts = read_campaign_counts(*sims);
      training_.requested += counts.requested;
      training_.failed += counts.failed;
      training_.pairs += counts.succeeded;
      training_.reused_simulations = true;
    }
    ctx.logger().info("reusing the trained estimator from the cache: " + found->string());
    mark_prepared();
    return;
  }

  // The successful simulations of all rounds so far, and their data as the estimator sees them.
  Eigen::MatrixXd theta_all(dim, 0), data_all(static_cast<Eigen::Index>(inputs_.data_size()), 0);
  for (std::size_t r = 1; r <= rounds_; ++r) {
    const std::string round = "round " + std::to_string(r) + of_rounds;
    RoundSummary summary;
    summary.round = r;
    summary.from_prior = r == 1;
    CampaignSettings settings;
    settings.simulations = inputs_.simulations;
    settings.max_failed_fraction = inputs_.max_failed_fraction;
    settings.artifact = round_artifact(r);
    settings.stream = r == 1 ? std::string("simulations") : "simulations round " + std::to_string(r);

    SimulationSet set;
    const auto cached = ctx.cache().find(settings.artifact);
    if (r == 1 || cached) {
      const auto start = std::chrono::steady_clock::now();
      if (!cached)
        ctx.logger().info(round + ": simulating at " + std::to_string(settings.simulations) +
                          " θ drawn from the prior");
      set = run_campaign(*inputs_.simulator, *inputs_.prior, inputs_.map, settings, ctx);  // reads the cache if there
      summary.simulation_seconds = seconds_since(start);
    } else {
      // The proposal needs the estimator trained on every round so far.
      train(theta_all, data_all, training_.requested, r - 1, ctx);
      auto start = std::chrono::steady_clock::now();
      const Eigen::MatrixXd theta = proposal_.sample(
          [this](const Eigen::Ref<const Eigen::MatrixXd>& thetas, Eigen::Ref<Eigen::VectorXd> out) {
            likelihood_.log_likelihood_free_batch(thetas, out);
          },
          settings.simulations, ctx.rng().split("proposal").split(r), ctx.executor(), summary.proposal);
      summary.proposal_run = true;
      summary.proposal_seconds = seconds_since(start);
      const ProposalDiagnostics& p = summary.proposal;
      ctx.logger().info(round + ": proposal MCMC (" + std::to_string(p.walkers) + " walkers, " +
                        std::to_string(p.steps) + " steps, " + std::to_string(p.evaluations) +
                        " evaluations) in " + fixed(summary.proposal_seconds, "%.2f") + " s: acceptance " +
                        fixed(p.acceptance) + " (warm-up " + fixed(p.warmup_acceptance) + "), SIR ESS " +
                        fixed(p.sir_ess, "%.1f") + " of " + std::to_string(p.candidates) + " prior draws (" +
                        std::to_string(p.finite_candidates) + " finite), " + std::to_string(p.nonfinite) +
                        " non-finite proposals rejected, " + std::to_string(p.stuck_walkers) + " stuck walkers");
      if (p.acceptance < kLowAcceptance)
        ctx.logger().warn(round + ": the proposal MCMC accepted only " + fixed(100 * p.acceptance) +
                          " % of its moves; its draws may not represent the posterior estimate (raise "
                          "proposal_warmup or proposal_thin)");
      if (p.stuck_walkers > 0)
        ctx.logger().warn(round + ": " + std::to_string(p.stuck_walkers) + " of " + std::to_string(p.walkers) +
                          " proposal walkers accepted no move after warm-up (raise proposal_warmup)");
      start = std::chrono::steady_clock::now();
      set = run_campaign_at(*inputs_.simulator, theta, inputs_.prior->space().element_names(), inputs_.map,
                            settings, ctx);
      summary.simulation_seconds = seconds_since(start);
    }
    summary.requested = set.requested;
    summary.failed = set.failed;
    summary.reused_simulations = set.reused;
    if (set.theta.cols() > 0) {
      summary.theta_mean = set.theta.rowwise().mean();
      summary.theta_sd =
          ((set.theta.colwise() - summary.theta_mean).rowwise().squaredNorm() / static_cast<double>(set.theta.cols()))
              .cwiseSqrt();
    }
    if (set.x.rows() != dim_x) throw Error("internal: simulation set of the wrong width");

    const Eigen::MatrixXd data = compress_columns(inputs_, set.x, ctx.executor());
    if (!data.allFinite()) throw Error("the compressor returned non-finite summaries of some simulations");
    const Eigen::Index before = theta_all.cols();
    theta_all.conservativeResize(dim, before + set.theta.cols());
    theta_all.rightCols(set.theta.cols()) = set.theta;
    data_all.conservativeResize(data_all.rows(), before + data.cols());
    data_all.rightCols(data.cols()) = data;
    training_.requested += set.requested;
    training_.failed += set.failed;
    training_.reused_simulations = training_.reused_simulations || set.reused;
    summary.pairs = static_cast<std::size_t>(theta_all.cols());
    ctx.logger().info(round + ": " + std::to_string(set.x.cols()) + " of " + std::to_string(set.requested) +
                      " simulations succeeded (" + std::to_string(set.failed) + " failed), θ from the " +
                      (r == 1 ? "prior" : "proposal") + ": mean " + vector_string(summary.theta_mean) + ", sd " +
                      vector_string(summary.theta_sd) + "; " + std::to_string(summary.pairs) +
                      " training pairs in all");
    if (r == 1) require_training_pairs(summary.pairs, set.requested);
    summaries_.push_back(std::move(summary));
  }

  train(theta_all, data_all, training_.requested, rounds_, ctx);
  training_.pairs = static_cast<std::size_t>(theta_all.cols());
  const std::filesystem::path staging = ctx.cache().create(kEstimatorArtifact);
  inputs_.estimator->save(staging);
  ctx.cache().commit(kEstimatorArtifact);
  if (likelihood_.observations().cols() > 1)
    ctx.logger().info("the observation holds " + std::to_string(likelihood_.observations().cols()) +
                      " i.i.d. data sets; their log-likelihoods add");
  mark_prepared();
}

}  // namespace orrery::sbi
