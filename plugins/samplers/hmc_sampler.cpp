#include "hmc_sampler.hpp"

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

/// One static-HMC chain as a resumable state (see chain_driver.hpp).
class HmcChain {
 public:
  HmcChain(const HmcSampler::Settings& settings, const orrery::Target& target, orrery::RandomStream rng,
           std::size_t index)
      : settings_(&settings), index_(index),
        core_(target, rng, settings.metric, settings.delta, settings.length.warmup),
        velocity_(core_.dimension()), draws_(core_.dimension(), {"step_size", "divergent", "energy"}) {
    draws_.reserve(settings.length.steps);
  }

  void start() {
    core_.start(settings_->initial_step_size, "hmc '" + settings_->name + "'", index_, HmcSampler::kMaxInitialAttempts);
  }

  void iterate() {
    Hamiltonian& system = core_.system;
    PhasePoint& current = core_.current;
    PhasePoint& proposal = core_.proposal;
    // One static trajectory with a jittered step size. The closing half kick
    // of each step and the opening one of the next are merged into one full
    // kick. As in Stan, the energy is checked at the end of the trajectory;
    // a non-finite log-density stops it at once.
    system.sample_momentum(current, core_.rng);
    const double h0 = system.hamiltonian(current);
    const double step = core_.epsilon * (1.0 + settings_->jitter * (2.0 * core_.rng.uniform() - 1.0));
    proposal.assign(current);
    system.kick_drift(proposal, proposal, 0.5 * step, step);
    bool divergent = false;
    double h = h0;
    for (std::uint64_t l = 1;; ++l) {
      system.evaluate_unchecked(proposal);
      if (!proposal.finite) {
        divergent = true;
        break;
      }
      if (l == settings_->n_leapfrog) break;
      system.kick_drift(proposal, proposal, step, step);
    }
    if (!divergent) {
      h = system.kick_velocity(proposal, 0.5 * step, velocity_);  // +inf if anything is non-finite
      divergent = !std::isfinite(h) || h - h0 > HmcSampler::kMaxEnergyError;
    }
    double accept_prob = 0.0;
    double energy = h0;  // H of the state the transition ends in
    if (!divergent) {
      accept_prob = h0 - h >= 0.0 ? 1.0 : std::exp(h0 - h);
      if (h0 - h >= 0.0 || core_.rng.uniform() < accept_prob) {
        current.assign(proposal);
        energy = h;
      }
    } else {
      ++core_.nonfinite;
    }

    if (core_.warming_up()) {
      core_.adapt(accept_prob);
    } else {
      draws_.append(current.q, current.log_density, {core_.epsilon, divergent ? 1.0 : 0.0, energy});
      core_.accept_sum += accept_prob;
      if (divergent) ++divergences_;
    }
    ++core_.iteration;
  }

  template <typename IO>
  void visit(IO& io) {
    core_.visit(io);
    io(divergences_);
    draws_.visit(io);
  }

  void collect(std::vector<const DrawStore*>& out) const { out.push_back(&draws_); }

  struct Summary {
    double step_size, ebfmi;
    std::uint64_t divergences;
  };
  /// The chain's statistics; then moves its draws into `chain`.
  Summary finish(orrery::Chain& chain) {
    const Eigen::Index n = draws_.rows();
    const std::vector<double>& energy = draws_.statistic(2);
    const Summary s{core_.epsilon, ebfmi(Eigen::Map<const Eigen::VectorXd>(energy.data(), n)), divergences_};
    chain = draws_.to_chain();
    core_.report(chain, n);
    return s;
  }

 private:
  const HmcSampler::Settings* settings_;
  std::size_t index_;
  GradientChainCore core_;
  Eigen::VectorXd velocity_;  ///< scratch: M⁻¹p at the end of a trajectory
  std::uint64_t divergences_ = 0;
  DrawStore draws_;
};

}  // namespace

orrery::Schema HmcSampler::options() {
  using namespace orrery::option;
  return HamiltonianOptions::schema({integer("n_leapfrog").default_value(20).min(1).doc("leapfrog steps per transition"),
                                     real("jitter").default_value(0.1).range(0.0, 0.99).doc(
                                         "step size jittered uniformly by this relative amount")},
                                    "target mean acceptance probability of the step-size adaptation");
}

HmcSampler::HmcSampler(orrery::Context& ctx) : target_(ctx) {
  const orrery::Options& options = ctx.options();
  require_gradient(ctx, target_.constrained(), "HMC");
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
  const DriveResult driven = drive(ctx, "hmc", "samplers.hmc/2", states, settings_.length);

  orrery::SampleSet set;
  double acceptance = 0.0, step = 0.0, ebfmi_sum = 0.0;
  std::uint64_t divergences = 0;
  for (auto& state : states) {
    orrery::Chain chain;
    const HmcChain::Summary s = state->finish(chain);
    target_.report(chain);
    acceptance += chain.acceptance_rate;
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
