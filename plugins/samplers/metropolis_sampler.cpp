#include "metropolis_sampler.hpp"

#include <cmath>
#include <memory>
#include <vector>

#include "draw_store.hpp"
#include "metric_adaptation.hpp"

namespace orrery::samplers {
namespace {

/// The initial per-coordinate proposal standard deviation: `initial_scale`
/// times the spread of kScaleProbePoints initial points (1 where they do not
/// spread).
Eigen::VectorXd initial_proposal_sd(const orrery::Target& target, double initial_scale, orrery::RandomStream& rng) {
  const Eigen::Index d = static_cast<Eigen::Index>(target.space().dimension());
  Eigen::VectorXd point(d);
  Eigen::VectorXd mean = Eigen::VectorXd::Zero(d);
  Eigen::VectorXd scatter = Eigen::VectorXd::Zero(d);
  for (int n = 1; n <= MetropolisSampler::kScaleProbePoints; ++n) {
    target.initial_point(rng, point);
    const Eigen::VectorXd delta = point - mean;
    mean += delta / n;
    scatter += delta.cwiseProduct(point - mean);
  }
  Eigen::VectorXd sd = (scatter / (MetropolisSampler::kScaleProbePoints - 1)).cwiseSqrt();
  for (Eigen::Index j = 0; j < d; ++j)
    if (!(std::isfinite(sd[j]) && sd[j] > 0.0)) sd[j] = 1.0;
  return initial_scale * sd;
}

/// One adaptive Metropolis chain as a resumable state (see chain_driver.hpp).
class MetropolisChain {
 public:
  MetropolisChain(const MetropolisSampler::Settings& settings, const orrery::Target& target, orrery::RandomStream rng,
                  std::size_t index)
      : settings_(&settings), target_(target), index_(index), rng_(rng), x_(dimension()), candidate_(dimension()),
        draws_(dimension()) {
    draws_.reserve(settings.length.steps / settings.thin);
  }

  void start() {
    proposal_ = std::make_unique<AdaptiveProposal>(initial_proposal_sd(target_, settings_->initial_scale, rng_),
                                                   settings_->shape, settings_->target_acceptance);
    for (int attempt = 0; attempt < MetropolisSampler::kMaxInitialAttempts; ++attempt) {
      target_.initial_point(rng_, x_);
      log_density_ = target_.log_density(x_);
      ++evaluations_;
      if (std::isfinite(log_density_)) return;
    }
    throw orrery::Error("metropolis '" + settings_->name + "', chain " + std::to_string(index_) +
                        ": the target's log-density was not finite at any of " +
                        std::to_string(MetropolisSampler::kMaxInitialAttempts) + " initial points (last value " +
                        format_real(log_density_) +
                        "); check that the likelihood can be evaluated inside the prior's support");
  }

  void iterate() {
    proposal_->propose(x_, rng_, candidate_);
    const double candidate_density = target_.log_density(candidate_);
    ++evaluations_;

    double acceptance_probability = 0.0;
    bool accept = false;
    if (!std::isfinite(candidate_density)) {
      // NaN or -inf: outside the support or not computable. +inf is rejected
      // too: accepting it would freeze the chain there.
      ++nonfinite_;
    } else {
      const double log_ratio = candidate_density - log_density_;
      acceptance_probability = log_ratio >= 0.0 ? 1.0 : std::exp(log_ratio);
      accept = log_ratio >= 0.0 || std::log(rng_.uniform_open()) < log_ratio;
    }
    if (accept) {
      x_.swap(candidate_);
      log_density_ = candidate_density;
    }

    const std::uint64_t warmup = settings_->length.warmup;
    if (step_ < warmup) {
      if (settings_->adapt) proposal_->adapt(x_, acceptance_probability);
    } else {
      const std::uint64_t sample = step_ - warmup;
      if (accept) ++accepted_;
      if ((sample + 1) % settings_->thin == 0) draws_.append(x_, log_density_);
    }
    ++step_;
  }

  template <typename IO>
  void visit(IO& io) {
    if (!proposal_)  // restoring: the shapes come from a fresh proposal
      proposal_ = std::make_unique<AdaptiveProposal>(Eigen::VectorXd::Ones(dimension()), settings_->shape,
                                                     settings_->target_acceptance);
    io(rng_);
    proposal_->visit(io);
    io(x_);
    io(log_density_);
    io(step_);
    io(accepted_);
    io(evaluations_);
    io(nonfinite_);
    draws_.visit(io);
  }

  void collect(std::vector<const DrawStore*>& out) const { out.push_back(&draws_); }

  /// The chain's final proposal scale; then moves its draws into `chain`.
  double finish(orrery::Chain& chain) {
    const double sampled_steps = static_cast<double>(step_ - std::min(step_, settings_->length.warmup));
    chain = draws_.to_chain();
    chain.evaluations = evaluations_;
    chain.nonfinite_rejections = nonfinite_;
    chain.acceptance_rate = static_cast<double>(accepted_) / sampled_steps;
    return proposal_->scale();
  }

 private:
  [[nodiscard]] Eigen::Index dimension() const { return static_cast<Eigen::Index>(target_.space().dimension()); }

  const MetropolisSampler::Settings* settings_;
  const orrery::Target& target_;
  std::size_t index_;
  orrery::RandomStream rng_;
  std::unique_ptr<AdaptiveProposal> proposal_;
  Eigen::VectorXd x_, candidate_;
  double log_density_ = 0.0;
  std::uint64_t step_ = 0, accepted_ = 0, evaluations_ = 0, nonfinite_ = 0;
  DrawStore draws_;
};

}  // namespace

orrery::Schema MetropolisSampler::options() {
  using namespace orrery::option;
  orrery::Schema schema{
      reference("target", orrery::Kind::Target).default_value("@posterior").doc("the density to sample"),
      integer("chains").default_value(4).min(1).doc("number of independent chains"),
      integer("steps").default_value(5000).min(1).doc("steps per chain after warm-up (the most, with until_converged)"),
      integer("warmup").default_value(1000).min(0).doc("adaptation steps per chain, discarded"),
      integer("thin").default_value(1).min(1).doc("keep every thin-th step after warm-up"),
      real("initial_scale")
          .default_value(0.1)
          .doc("initial proposal sd per coordinate, as a fraction of the spread of the target's initial points "
               "(> 0)"),
      boolean("adapt").default_value(true).doc("adapt the proposal covariance and scale during warm-up"),
      real("target_acceptance").default_value(0.234).range(0.01, 0.99).doc("acceptance rate the scale adapts to"),
      string("proposal")
          .default_value("auto")
          .choices({"auto", "full", "diagonal"})
          .doc("adapted covariance: full, diagonal (variances only), or auto (full up to 200 dimensions)"),
      SamplingTarget::option()};
  for (orrery::OptionSpec& spec : RunLength::options()) schema.push_back(std::move(spec));
  return schema;
}

MetropolisSampler::MetropolisSampler(orrery::Context& ctx) : target_(ctx) {
  const orrery::Options& options = ctx.options();
  chains_ = count_option(options, "chains", 1);
  settings_.name = ctx.name();
  settings_.length = RunLength::read(options);
  settings_.thin = count_option(options, "thin", 1);
  if (settings_.thin > settings_.length.steps)
    options.error("thin", "must not exceed steps = " + std::to_string(settings_.length.steps) + ", found " +
                              std::to_string(settings_.thin));
  settings_.initial_scale = options.real("initial_scale");
  if (!(std::isfinite(settings_.initial_scale) && settings_.initial_scale > 0.0))
    options.error("initial_scale", "must be > 0, found " + format_real(settings_.initial_scale));
  settings_.target_acceptance = options.real("target_acceptance");
  if (!(settings_.target_acceptance > 0.0 && settings_.target_acceptance < 1.0))
    options.error("target_acceptance", "must lie in (0, 1), found " + format_real(settings_.target_acceptance));
  settings_.adapt = options.boolean("adapt");

  const std::size_t dimension = target_.constrained().space().dimension();
  if (dimension == 0) options.error("target", "the target has no free parameters to sample");
  const std::string& proposal = options.string("proposal");
  if (proposal == "full")
    settings_.shape = AdaptiveProposal::Shape::Full;
  else if (proposal == "diagonal")
    settings_.shape = AdaptiveProposal::Shape::Diagonal;
  else if (proposal == "auto")
    settings_.shape =
        dimension <= kMaxAutoFullDimension ? AdaptiveProposal::Shape::Full : AdaptiveProposal::Shape::Diagonal;
  else
    options.error("proposal", "must be one of auto, full, diagonal; found '" + proposal + "'");
}

orrery::SampleSet MetropolisSampler::run(orrery::Context& ctx) {
  std::vector<std::unique_ptr<MetropolisChain>> states;
  for (std::uint64_t i = 0; i < chains_; ++i)
    states.push_back(std::make_unique<MetropolisChain>(settings_, target_.sampled(), ctx.rng().split(i), i));
  const DriveResult driven = drive(ctx, "metropolis", "samplers.metropolis/2", states, settings_.length);

  orrery::SampleSet set;
  double acceptance = 0.0;
  double scale = 0.0;
  for (auto& state : states) {
    orrery::Chain chain;
    scale += state->finish(chain);
    target_.report(chain);
    acceptance += chain.acceptance_rate;
    set.chains.push_back(std::move(chain));
  }
  const double n = static_cast<double>(chains_);
  set.statistics.emplace_back("acceptance_rate", acceptance / n);
  set.statistics.emplace_back("proposal_scale", scale / n);
  append_run_statistics(set, driven, settings_.length);
  return set;
}

}  // namespace orrery::samplers
