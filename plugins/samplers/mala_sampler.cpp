#include "mala_sampler.hpp"

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "draw_store.hpp"
#include "metric_adaptation.hpp"
#include "step_size_adaptation.hpp"

namespace orrery::samplers {
namespace {

/// One MALA chain as a resumable state (see chain_driver.hpp).
class MalaChain {
 public:
  MalaChain(const MalaSampler::Settings& settings, const orrery::Target& target, orrery::RandomStream rng,
            std::size_t index)
      : settings_(&settings), index_(index), rng_(rng),
        system_(target, static_cast<Eigen::Index>(target.space().dimension()), MetricShape::Diagonal),
        current_(dimension()), proposal_(dimension()), step_adaptation_(settings.target_acceptance),
        metric_adaptation_(settings.length.warmup, dimension(), MetricShape::Diagonal), draws_(dimension()) {
    draws_.reserve(settings.length.steps);
  }

  void start() {
    initial_point(system_, current_, rng_, MalaSampler::kMaxInitialAttempts, "mala '" + settings_->name + "'", index_);
    // A MALA step is one leapfrog step of HMC with a fresh momentum, so Stan's
    // heuristic gives a sensible starting step size.
    epsilon_ = settings_->initial_step_size > 0.0
                   ? settings_->initial_step_size
                   : find_reasonable_step_size(system_, current_, proposal_, rng_, 1.0);
    step_adaptation_.restart(epsilon_);
  }

  void iterate() {
    const Eigen::VectorXd& variance = system_.inverse_metric_diagonal_ref();  // M⁻¹
    const Eigen::Index d = dimension();
    // Proposal; proposal_.p holds ξ.
    const double half_eps2 = 0.5 * epsilon_ * epsilon_;
    double forward = 0.0;  // log q(x' | x) up to the shared constant
    for (Eigen::Index i = 0; i < d; ++i) {
      const double xi = rng_.normal();
      proposal_.p[i] = xi;
      forward -= 0.5 * xi * xi;
      proposal_.q[i] = current_.q[i] + half_eps2 * variance[i] * current_.grad[i] + epsilon_ * std::sqrt(variance[i]) * xi;
    }
    system_.evaluate(proposal_);
    double accept_prob = 0.0;
    bool nonfinite = !proposal_.finite;
    if (!nonfinite) {
      double reverse = 0.0;  // log q(x | x')
      for (Eigen::Index i = 0; i < d; ++i) {
        const double r = (current_.q[i] - proposal_.q[i] - half_eps2 * variance[i] * proposal_.grad[i]) /
                         (epsilon_ * std::sqrt(variance[i]));
        reverse -= 0.5 * r * r;
      }
      const double log_ratio = proposal_.log_density - current_.log_density + reverse - forward;
      if (std::isnan(log_ratio)) {
        nonfinite = true;
      } else {
        accept_prob = log_ratio >= 0.0 ? 1.0 : std::exp(log_ratio);
        if (log_ratio >= 0.0 || rng_.uniform() < accept_prob) current_.assign(proposal_);
      }
    }
    if (nonfinite) ++nonfinite_;

    const std::uint64_t warmup = settings_->length.warmup;
    if (iteration_ < warmup) {
      epsilon_ = step_adaptation_.learn(accept_prob);
      if (metric_adaptation_.learn(current_.q, system_)) {
        epsilon_ = find_reasonable_step_size(system_, current_, proposal_, rng_, epsilon_);
        step_adaptation_.restart(epsilon_);
      }
      if (iteration_ + 1 == warmup) epsilon_ = step_adaptation_.final_step_size();
    } else {
      draws_.append(current_.q, current_.log_density);
      accept_sum_ += accept_prob;
      if (nonfinite) ++rejections_;
    }
    ++iteration_;
  }

  template <typename IO>
  void visit(IO& io) {
    io(rng_);
    system_.visit(io);
    current_.visit(io);
    io(epsilon_);
    step_adaptation_.visit(io);
    metric_adaptation_.visit(io);
    io(iteration_);
    io(nonfinite_);
    io(rejections_);
    io(accept_sum_);
    draws_.visit(io);
  }

  void collect(std::vector<const DrawStore*>& out) const { out.push_back(&draws_); }

  struct Summary {
    double step_size, acceptance;
    std::uint64_t rejections;
  };
  /// The chain's statistics; then moves its draws into `chain`.
  Summary finish(orrery::Chain& chain) {
    const Summary s{epsilon_, accept_sum_ / static_cast<double>(draws_.rows()), rejections_};
    chain = draws_.to_chain();
    chain.evaluations = system_.evaluations();
    chain.nonfinite_rejections = nonfinite_;
    chain.acceptance_rate = s.acceptance;
    return s;
  }

 private:
  [[nodiscard]] Eigen::Index dimension() const { return static_cast<Eigen::Index>(system_.target().space().dimension()); }

  const MalaSampler::Settings* settings_;
  std::size_t index_;
  orrery::RandomStream rng_;
  Hamiltonian system_;
  PhasePoint current_, proposal_;
  double epsilon_ = 1.0;
  DualAveraging step_adaptation_;
  MetricAdaptation metric_adaptation_;
  std::uint64_t iteration_ = 0, nonfinite_ = 0, rejections_ = 0;
  double accept_sum_ = 0.0;
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
  if (!target_.constrained().has_gradient())
    options.error("target", "the MALA sampler needs a gradient; the target '" + target_label(ctx) +
                                "' has none (use a sampler that needs only densities, such as samplers.ensemble or samplers.metropolis)");
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
  const DriveResult driven = drive(ctx, "mala", "samplers.mala/1", states, settings_.length);

  orrery::SampleSet set;
  double acceptance = 0.0, step = 0.0;
  std::uint64_t rejections = 0;
  for (auto& state : states) {
    orrery::Chain chain;
    const MalaChain::Summary s = state->finish(chain);
    target_.report(chain);
    acceptance += s.acceptance;
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
