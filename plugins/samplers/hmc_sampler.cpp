#include "hmc_sampler.hpp"

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "draw_store.hpp"
#include "metric_adaptation.hpp"
#include "step_size_adaptation.hpp"

namespace orrery::samplers {
namespace {

/// One static-HMC chain as a resumable state (see chain_driver.hpp).
class HmcChain {
 public:
  HmcChain(const HmcSampler::Settings& settings, const orrery::Target& target, orrery::RandomStream rng,
           std::size_t index)
      : settings_(&settings), index_(index), rng_(rng),
        system_(target, static_cast<Eigen::Index>(target.space().dimension()), settings.metric),
        current_(dimension()), proposal_(dimension()), step_adaptation_(settings.delta),
        metric_adaptation_(settings.length.warmup, dimension(), settings.metric),
        draws_(dimension(), {"step_size", "divergent", "energy"}) {
    draws_.reserve(settings.length.steps);
  }

  void start() {
    initial_point(system_, current_, rng_, HmcSampler::kMaxInitialAttempts, "hmc '" + settings_->name + "'", index_);
    epsilon_ = settings_->initial_step_size > 0.0
                   ? settings_->initial_step_size
                   : find_reasonable_step_size(system_, current_, proposal_, rng_, 1.0);
    step_adaptation_.restart(epsilon_);
  }

  void iterate() {
    // One static trajectory with a jittered step size.
    system_.sample_momentum(current_, rng_);
    const double h0 = system_.hamiltonian(current_);
    const double step = epsilon_ * (1.0 + settings_->jitter * (2.0 * rng_.uniform() - 1.0));
    proposal_.assign(current_);
    bool divergent = false;
    double h = h0;
    for (std::uint64_t l = 0; l < settings_->n_leapfrog; ++l) {
      system_.leapfrog(proposal_, step);
      h = system_.hamiltonian(proposal_);  // +inf if anything is non-finite
      if (!std::isfinite(h) || h - h0 > HmcSampler::kMaxEnergyError) {
        divergent = true;
        break;
      }
    }
    double accept_prob = 0.0;
    if (!divergent) {
      accept_prob = h0 - h >= 0.0 ? 1.0 : std::exp(h0 - h);
      if (h0 - h >= 0.0 || rng_.uniform() < accept_prob) current_.assign(proposal_);
    } else {
      ++nonfinite_;
    }

    const std::uint64_t warmup = settings_->length.warmup;
    if (iteration_ < warmup) {
      epsilon_ = step_adaptation_.learn(accept_prob);
      if (metric_adaptation_.learn(current_.q, system_)) {
        epsilon_ = find_reasonable_step_size(system_, current_, proposal_, rng_, epsilon_);
        step_adaptation_.restart(epsilon_);
      }
      if (iteration_ + 1 == warmup) epsilon_ = step_adaptation_.final_step_size();
    } else {
      draws_.append(current_.q, current_.log_density,
                    {epsilon_, divergent ? 1.0 : 0.0, system_.hamiltonian(current_)});
      accept_sum_ += accept_prob;
      if (divergent) ++divergences_;
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
    io(divergences_);
    io(accept_sum_);
    draws_.visit(io);
  }

  void collect(std::vector<const DrawStore*>& out) const { out.push_back(&draws_); }

  struct Summary {
    double step_size, ebfmi, acceptance;
    std::uint64_t divergences;
  };
  /// The chain's statistics; then moves its draws into `chain`.
  Summary finish(orrery::Chain& chain) {
    const std::vector<double>& energy = draws_.statistic(2);
    const Summary s{epsilon_, ebfmi(Eigen::Map<const Eigen::VectorXd>(energy.data(), draws_.rows())),
                    accept_sum_ / static_cast<double>(draws_.rows()), divergences_};
    chain = draws_.to_chain();
    chain.evaluations = system_.evaluations();
    chain.nonfinite_rejections = nonfinite_;
    chain.acceptance_rate = s.acceptance;
    return s;
  }

 private:
  [[nodiscard]] Eigen::Index dimension() const { return static_cast<Eigen::Index>(system_.target().space().dimension()); }

  const HmcSampler::Settings* settings_;
  std::size_t index_;
  orrery::RandomStream rng_;
  Hamiltonian system_;
  PhasePoint current_, proposal_;
  double epsilon_ = 1.0;
  DualAveraging step_adaptation_;
  MetricAdaptation metric_adaptation_;
  std::uint64_t iteration_ = 0, nonfinite_ = 0, divergences_ = 0;
  double accept_sum_ = 0.0;
  DrawStore draws_;
};

}  // namespace

orrery::Schema HmcSampler::options() {
  using namespace orrery::option;
  orrery::Schema schema{
      reference("target", orrery::Kind::Target).default_value("@posterior").doc("the density to sample (needs a gradient)"),
      integer("chains").default_value(4).min(1).doc("number of independent chains"),
      integer("steps").default_value(1000).min(1).doc("draws per chain after warm-up (the most, with until_converged)"),
      integer("warmup").default_value(1000).min(0).doc("adaptation iterations per chain, discarded"),
      integer("n_leapfrog").default_value(20).min(1).doc("leapfrog steps per transition"),
      real("jitter").default_value(0.1).range(0.0, 0.99).doc("step size jittered uniformly by this relative amount"),
      real("delta").default_value(0.8).greater_than(0.0).less_than(1.0).doc("target mean acceptance probability of the step-size adaptation"),
      real("initial_step_size").greater_than(0.0).doc("first step size; default: Stan's heuristic from 1"),
      string("metric").default_value("diag").choices({"diag", "dense"}).doc("inverse metric adapted during warm-up: diag (diagonal) or dense (full covariance)"),
      SamplingTarget::option()};
  for (orrery::OptionSpec& spec : RunLength::options()) schema.push_back(std::move(spec));
  return schema;
}

HmcSampler::HmcSampler(orrery::Context& ctx) : target_(ctx) {
  const orrery::Options& options = ctx.options();
  if (!target_.constrained().has_gradient())
    options.error("target", "the HMC sampler needs a gradient; the target '" + target_label(ctx) +
                                "' has none (use a sampler that needs only densities, such as samplers.ensemble or samplers.metropolis)");
  const HamiltonianOptions shared = HamiltonianOptions::read(options);
  chains_ = shared.chains;
  settings_.name = ctx.name();
  settings_.length = shared.length;
  settings_.n_leapfrog = count_option(options, "n_leapfrog", 1);
  settings_.jitter = options.real("jitter");
  if (!(settings_.jitter >= 0.0 && settings_.jitter < 1.0))
    options.error("jitter", "must lie in [0, 1), found " + format_real(settings_.jitter));
  settings_.delta = shared.delta;
  settings_.initial_step_size = shared.initial_step_size;
  settings_.metric = shared.metric;
  if (target_.constrained().space().dimension() == 0) options.error("target", "the target has no free parameters to sample");
}

orrery::SampleSet HmcSampler::run(orrery::Context& ctx) {
  std::vector<std::unique_ptr<HmcChain>> states;
  for (std::uint64_t i = 0; i < chains_; ++i)
    states.push_back(std::make_unique<HmcChain>(settings_, target_.sampled(), ctx.rng().split(i), i));
  const DriveResult driven = drive(ctx, "hmc", "samplers.hmc/1", states, settings_.length);

  orrery::SampleSet set;
  double acceptance = 0.0, step = 0.0, ebfmi_sum = 0.0;
  std::uint64_t divergences = 0;
  for (auto& state : states) {
    orrery::Chain chain;
    const HmcChain::Summary s = state->finish(chain);
    target_.report(chain);
    acceptance += s.acceptance;
    step += s.step_size;
    divergences += s.divergences;
    ebfmi_sum += s.ebfmi;
    set.chains.push_back(std::move(chain));
  }
  const double n = static_cast<double>(chains_);
  set.statistics.emplace_back("acceptance_rate", acceptance / n);
  set.statistics.emplace_back("step_size", step / n);
  set.statistics.emplace_back("divergences", static_cast<double>(divergences));
  set.statistics.emplace_back("ebfmi", ebfmi_sum / n);
  append_run_statistics(set, driven, settings_.length);
  return set;
}

}  // namespace orrery::samplers
