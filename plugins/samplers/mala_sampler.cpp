#include "mala_sampler.hpp"

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "draw_store.hpp"
#include "gradient_chain.hpp"
#include "metric_adaptation.hpp"
#include "step_size_adaptation.hpp"

namespace orrery::samplers {
namespace {

/// One MALA chain as a resumable state (see chain_driver.hpp).
class MalaChain {
 public:
  MalaChain(const MalaSampler::Settings& settings, const orrery::Target& target, orrery::RandomStream rng,
            std::size_t index)
      : settings_(&settings), index_(index),
        core_(target, rng, MetricShape::Diagonal, settings.target_acceptance, settings.length.warmup),
        draws_(core_.dimension()) {
    draws_.reserve(settings.length.steps);
  }

  // A MALA step is one leapfrog step of HMC with a fresh momentum, so Stan's
  // heuristic gives a sensible starting step size.
  void start() {
    core_.start(settings_->initial_step_size, "mala '" + settings_->name + "'", index_, MalaSampler::kMaxInitialAttempts);
  }

  void iterate() {
    PhasePoint& current = core_.current;
    PhasePoint& proposal = core_.proposal;
    const double epsilon = core_.epsilon;
    const Eigen::VectorXd& variance = core_.system.inverse_metric_diagonal_ref();  // M⁻¹
    const Eigen::Index d = core_.dimension();
    // Proposal; proposal.p holds ξ.
    const double half_eps2 = 0.5 * epsilon * epsilon;
    double forward = 0.0;  // log q(x' | x) up to the shared constant
    for (Eigen::Index i = 0; i < d; ++i) {
      const double xi = core_.rng.normal();
      proposal.p[i] = xi;
      forward -= 0.5 * xi * xi;
      proposal.q[i] = current.q[i] + half_eps2 * variance[i] * current.grad[i] + epsilon * std::sqrt(variance[i]) * xi;
    }
    core_.system.evaluate(proposal);
    double accept_prob = 0.0;
    bool nonfinite = !proposal.finite;
    if (!nonfinite) {
      double reverse = 0.0;  // log q(x | x')
      for (Eigen::Index i = 0; i < d; ++i) {
        const double r =
            (current.q[i] - proposal.q[i] - half_eps2 * variance[i] * proposal.grad[i]) / (epsilon * std::sqrt(variance[i]));
        reverse -= 0.5 * r * r;
      }
      const double log_ratio = proposal.log_density - current.log_density + reverse - forward;
      if (std::isnan(log_ratio)) {
        nonfinite = true;
      } else {
        accept_prob = log_ratio >= 0.0 ? 1.0 : std::exp(log_ratio);
        if (log_ratio >= 0.0 || core_.rng.uniform() < accept_prob) current.assign(proposal);
      }
    }
    if (nonfinite) ++core_.nonfinite;

    if (core_.warming_up()) {
      core_.adapt(accept_prob);
    } else {
      draws_.append(current.q, current.log_density);
      core_.accept_sum += accept_prob;
      if (nonfinite) ++rejections_;
    }
    ++core_.iteration;
  }

  template <typename IO>
  void visit(IO& io) {
    core_.visit(io);
    io(rejections_);
    draws_.visit(io);
  }

  void collect(std::vector<const DrawStore*>& out) const { out.push_back(&draws_); }

  struct Summary {
    double step_size;
    std::uint64_t rejections;
  };
  /// The chain's statistics; then moves its draws into `chain`.
  Summary finish(orrery::Chain& chain) {
    const Eigen::Index n = draws_.rows();
    chain = draws_.to_chain();
    core_.report(chain, n);
    return {core_.epsilon, rejections_};
  }

 private:
  const MalaSampler::Settings* settings_;
  std::size_t index_;
  GradientChainCore core_;
  std::uint64_t rejections_ = 0;
  DrawStore draws_;
};

}  // namespace

orrery::Schema MalaSampler::options() {
  using namespace orrery::option;
  orrery::Schema schema{
      reference("target", orrery::Kind::Target).default_value("@posterior").doc("the density to sample (needs a gradient)"),
      integer("chains").default_value(4).min(1).doc("number of independent chains"),
      integer("steps").default_value(1000).min(1).doc("draws per chain after warm-up (the most, with until_converged)"),
      integer("warmup").default_value(1000).min(0).doc("adaptation iterations per chain (step size and diagonal metric), discarded"),
      real("target_acceptance").default_value(0.574).greater_than(0.0).less_than(1.0).doc("acceptance probability the step-size adaptation aims for"),
      real("initial_step_size").greater_than(0.0).doc("first step size; default: Stan's heuristic from 1"),
      SamplingTarget::option()};
  for (orrery::OptionSpec& spec : RunLength::options()) schema.push_back(std::move(spec));
  return schema;
}

MalaSampler::MalaSampler(orrery::Context& ctx) : target_(ctx) {
  const orrery::Options& options = ctx.options();
  require_gradient(ctx, target_.constrained(), "MALA");
  chains_ = count_option(options, "chains", 1);
  settings_.name = ctx.name();
  settings_.length = RunLength::read(options);
  settings_.target_acceptance = options.real("target_acceptance");
  if (!(settings_.target_acceptance > 0.0 && settings_.target_acceptance < 1.0))
    options.error("target_acceptance", "must lie in (0, 1), found " + format_real(settings_.target_acceptance));
  if (options.has("initial_step_size")) {
    settings_.initial_step_size = options.real("initial_step_size");
    if (!(std::isfinite(settings_.initial_step_size) && settings_.initial_step_size > 0.0))
      options.error("initial_step_size", "must be finite and > 0, found " + format_real(settings_.initial_step_size));
  }
  if (target_.constrained().space().dimension() == 0) options.error("target", "the target has no free parameters to sample");
}

orrery::SampleSet MalaSampler::run(orrery::Context& ctx) {
  std::vector<std::unique_ptr<MalaChain>> states;
  for (std::uint64_t i = 0; i < chains_; ++i)
    states.push_back(std::make_unique<MalaChain>(settings_, target_.sampled(), ctx.rng().split(i), i));
  const DriveResult driven = drive(ctx, "mala", "samplers.mala/2", states, settings_.length);

  orrery::SampleSet set;
  double acceptance = 0.0, step = 0.0;
  std::uint64_t rejections = 0;
  for (auto& state : states) {
    orrery::Chain chain;
    const MalaChain::Summary s = state->finish(chain);
    target_.report(chain);
    acceptance += chain.acceptance_rate;
    step += s.step_size;
    rejections += s.rejections;
    set.chains.push_back(std::move(chain));
  }
  const double n = static_cast<double>(chains_);
  set.statistics.emplace_back("acceptance_rate", acceptance / n);
  set.statistics.emplace_back("step_size", step / n);
  set.statistics.emplace_back("nonfinite_rejections", static_cast<double>(rejections));
  append_run_statistics(set, driven, settings_.length);
  return set;
}

}  // namespace orrery::samplers
