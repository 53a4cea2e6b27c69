#include "metropolis_sampler.hpp"

#include <cmath>
#include <vector>

#include "option_checks.hpp"

namespace orrery::core {
namespace {

/// Progress is reported in batches of this many steps, to keep the shared
/// reporter off the hot path.
constexpr std::uint64_t kProgressBatch = 100;

/// Integer option `key`, at least `minimum` (the kernel checks the schema
/// range already; this guards direct construction).
std::uint64_t count_option(const orrery::Options& options, std::string_view key, std::int64_t minimum) {
  const std::int64_t value = options.integer(key);
  if (value < minimum)
    options.error(key, "must be at least " + std::to_string(minimum) + ", found " + std::to_string(value));
  return static_cast<std::uint64_t>(value);
}

}  // namespace

struct MetropolisSampler::ChainResult {
  orrery::Chain chain;
  double final_scale = 1.0;
};

orrery::Schema MetropolisSampler::options() {
  using namespace orrery::option;
  return {reference("target", orrery::Kind::Target).default_value("@posterior").doc("the density to sample"),
          integer("chains").default_value(4).min(1).doc("number of independent chains"),
          integer("steps").default_value(5000).min(1).doc("steps per chain after warm-up"),
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
              .doc("adapted covariance: full, diagonal (variances only), or auto (full up to 200 dimensions)")};
}

MetropolisSampler::MetropolisSampler(orrery::Context& ctx)
    : name_(ctx.name()), target_(&ctx.ref<orrery::Target>("target")) {
  const orrery::Options& options = ctx.options();
  chains_ = count_option(options, "chains", 1);
  steps_ = count_option(options, "steps", 1);
  warmup_ = count_option(options, "warmup", 0);
  thin_ = count_option(options, "thin", 1);
  if (thin_ > steps_)
    options.error("thin", "must not exceed steps = " + std::to_string(steps_) + ", found " + std::to_string(thin_));
  initial_scale_ = positive_real(options, "initial_scale");
  target_acceptance_ = finite_real(options, "target_acceptance");
  if (!(target_acceptance_ > 0.0 && target_acceptance_ < 1.0))
    options.error("target_acceptance", "must lie in (0, 1), found " + format_real(target_acceptance_));
  adapt_ = options.boolean("adapt");

  const std::size_t dimension = target_->space().dimension();
  if (dimension == 0) options.error("target", "the target has no free parameters to sample");
  const std::string& proposal = options.string("proposal");
  if (proposal == "full")
    shape_ = AdaptiveProposal::Shape::Full;
  else if (proposal == "diagonal")
    shape_ = AdaptiveProposal::Shape::Diagonal;
  else if (proposal == "auto")
    shape_ = dimension <= kMaxAutoFullDimension ? AdaptiveProposal::Shape::Full : AdaptiveProposal::Shape::Diagonal;
  else
    options.error("proposal", "must be one of auto, full, diagonal; found '" + proposal + "'");
}

orrery::SampleSet MetropolisSampler::run(orrery::Context& ctx) {
  const std::unique_ptr<orrery::Progress> progress = ctx.progress("metropolis", chains_ * (warmup_ + steps_));
  // Split every chain's stream up front: RandomStream is not thread-safe.
  std::vector<orrery::RandomStream> streams;
  streams.reserve(chains_);
  for (std::uint64_t i = 0; i < chains_; ++i) streams.push_back(ctx.rng().split(i));

  std::vector<ChainResult> results(chains_);
  ctx.executor().parallel_for(chains_, [&](std::size_t i) { results[i] = run_chain(i, streams[i], *progress); });

  orrery::SampleSet set;
  double acceptance = 0.0;
  double scale = 0.0;
  for (ChainResult& result : results) {
    acceptance += result.chain.acceptance_rate;
    scale += result.final_scale;
    set.chains.push_back(std::move(result.chain));
  }
  const double n = static_cast<double>(chains_);
  set.statistics.emplace_back("acceptance_rate", acceptance / n);
  set.statistics.emplace_back("proposal_scale", scale / n);
  return set;
}

double MetropolisSampler::start(std::size_t index, orrery::RandomStream& rng, Eigen::VectorXd& x,
                                std::uint64_t& evaluations) const {
  double log_density = 0.0;
  for (int attempt = 0; attempt < kMaxInitialAttempts; ++attempt) {
    target_->initial_point(rng, x);
    log_density = target_->log_density(x);
    ++evaluations;
    if (std::isfinite(log_density)) return log_density;
  }
  throw orrery::Error("metropolis '" + name_ + "', chain " + std::to_string(index) +
                      ": the target's log-density was not finite at any of " + std::to_string(kMaxInitialAttempts) +
                      " initial points (last value " + format_real(log_density) +
                      "); check that the likelihood can be evaluated inside the prior's support");
}

Eigen::VectorXd MetropolisSampler::initial_proposal_sd(orrery::RandomStream& rng) const {
  const Eigen::Index d = static_cast<Eigen::Index>(target_->space().dimension());
  Eigen::VectorXd point(d);
  Eigen::VectorXd mean = Eigen::VectorXd::Zero(d);
  Eigen::VectorXd scatter = Eigen::VectorXd::Zero(d);
  for (int n = 1; n <= kScaleProbePoints; ++n) {
    target_->initial_point(rng, point);
    const Eigen::VectorXd delta = point - mean;
    mean += delta / n;
    scatter += delta.cwiseProduct(point - mean);
  }
  Eigen::VectorXd sd = (scatter / (kScaleProbePoints - 1)).cwiseSqrt();
  for (Eigen::Index j = 0; j < d; ++j)
    if (!(std::isfinite(sd[j]) && sd[j] > 0.0)) sd[j] = 1.0;
  return initial_scale_ * sd;
}

MetropolisSampler::ChainResult MetropolisSampler::run_chain(std::size_t index, orrery::RandomStream rng,
                                                            orrery::Progress& progress) const {
  const Eigen::Index d = static_cast<Eigen::Index>(target_->space().dimension());
  ChainResult result;
  orrery::Chain& chain = result.chain;
  const Eigen::Index kept = static_cast<Eigen::Index>(steps_ / thin_);
  chain.draws.resize(kept, d);
  chain.log_density.resize(kept);

  AdaptiveProposal proposal(initial_proposal_sd(rng), shape_, target_acceptance_);
  Eigen::VectorXd x(d);
  Eigen::VectorXd candidate(d);
  double log_density = start(index, rng, x, chain.evaluations);

  std::uint64_t accepted = 0;
  std::uint64_t unreported = 0;
  const std::uint64_t total = warmup_ + steps_;
  for (std::uint64_t step = 0; step < total; ++step) {
    proposal.propose(x, rng, candidate);
    const double candidate_density = target_->log_density(candidate);
    ++chain.evaluations;

    double acceptance_probability = 0.0;
    bool accept = false;
    if (!std::isfinite(candidate_density)) {
      // NaN or -inf: outside the support or not computable. +inf is rejected
      // too: accepting it would freeze the chain there.
      ++chain.nonfinite_rejections;
    } else {
      const double log_ratio = candidate_density - log_density;
      acceptance_probability = log_ratio >= 0.0 ? 1.0 : std::exp(log_ratio);
      accept = log_ratio >= 0.0 || std::log(rng.uniform_open()) < log_ratio;
    }
    if (accept) {
      x.swap(candidate);
      log_density = candidate_density;
    }

    if (step < warmup_) {
      if (adapt_) proposal.adapt(x, acceptance_probability);
    } else {
      const std::uint64_t sample = step - warmup_;
      if (accept) ++accepted;
      if ((sample + 1) % thin_ == 0) {
        const Eigen::Index row = static_cast<Eigen::Index>(sample / thin_);
        chain.draws.row(row) = x.transpose();
        chain.log_density[row] = log_density;
      }
    }

    if (++unreported == kProgressBatch) {
      progress.advance(unreported);
      unreported = 0;
    }
  }
  if (unreported > 0) progress.advance(unreported);

  chain.acceptance_rate = static_cast<double>(accepted) / static_cast<double>(steps_);
  result.final_scale = proposal.scale();
  return result;
}

}  // namespace orrery::core
