#include "hmc_sampler.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "metric_adaptation.hpp"
#include "step_size_adaptation.hpp"

namespace orrery::samplers {
namespace {
constexpr std::uint64_t kProgressBatch = 50;
}  // namespace

struct HmcSampler::ChainResult {
  orrery::Chain chain;
  double step_size = 0.0;
  std::uint64_t divergences = 0;
  double ebfmi = 0.0;
};

orrery::Schema HmcSampler::options() {
  using namespace orrery::option;
  return {reference("target", orrery::Kind::Target).default_value("@posterior").doc("the density to sample (needs a gradient)"),
          integer("chains").default_value(4).min(1).doc("number of independent chains"),
          integer("steps").default_value(1000).min(1).doc("draws per chain after warm-up"),
          integer("warmup").default_value(1000).min(0).doc("adaptation iterations per chain, discarded"),
          integer("n_leapfrog").default_value(20).min(1).doc("leapfrog steps per transition"),
          real("jitter").default_value(0.1).range(0.0, 0.99).doc("step size jittered uniformly by this relative amount"),
          real("delta").default_value(0.8).greater_than(0.0).less_than(1.0).doc("target mean acceptance probability of the step-size adaptation"),
          real("initial_step_size").greater_than(0.0).doc("first step size; default: Stan's heuristic from 1"),
          string("metric").default_value("diag").choices({"diag", "dense"}).doc("inverse metric adapted during warm-up: diag (diagonal) or dense (full covariance)")};
}

HmcSampler::HmcSampler(orrery::Context& ctx) : name_(ctx.name()), target_(&ctx.ref<orrery::Target>("target")) {
  const orrery::Options& options = ctx.options();
  if (!target_->has_gradient())
    options.error("target", "the HMC sampler needs a gradient; the target '" + target_label(ctx) +
                                "' has none (use a sampler that needs only densities, such as core.metropolis)");
  const HamiltonianOptions shared = HamiltonianOptions::read(options);
  chains_ = shared.chains;
  steps_ = shared.steps;
  warmup_ = shared.warmup;
  n_leapfrog_ = count_option(options, "n_leapfrog", 1);
  jitter_ = options.real("jitter");
  if (!(jitter_ >= 0.0 && jitter_ < 1.0)) options.error("jitter", "must lie in [0, 1), found " + format_real(jitter_));
  delta_ = shared.delta;
  initial_step_size_ = shared.initial_step_size;
  metric_ = shared.metric;
  if (target_->space().dimension() == 0) options.error("target", "the target has no free parameters to sample");
}

orrery::SampleSet HmcSampler::run(orrery::Context& ctx) {
  std::vector<ChainResult> results = run_chains<ChainResult>(
      ctx, "hmc", chains_, warmup_ + steps_,
      [this](std::size_t i, orrery::RandomStream rng, orrery::Progress& progress) { return run_chain(i, rng, progress); });

  orrery::SampleSet set;
  double acceptance = 0.0, step = 0.0, ebfmi_sum = 0.0;
  std::uint64_t divergences = 0;
  for (ChainResult& r : results) {
    acceptance += r.chain.acceptance_rate;
    step += r.step_size;
    divergences += r.divergences;
    ebfmi_sum += r.ebfmi;
    set.chains.push_back(std::move(r.chain));
  }
  const double n = static_cast<double>(chains_);
  set.statistics.emplace_back("acceptance_rate", acceptance / n);
  set.statistics.emplace_back("step_size", step / n);
  set.statistics.emplace_back("divergences", static_cast<double>(divergences));
  set.statistics.emplace_back("ebfmi", ebfmi_sum / n);
  return set;
}

HmcSampler::ChainResult HmcSampler::run_chain(std::size_t index, orrery::RandomStream rng,
                                              orrery::Progress& progress) const {
  const Eigen::Index d = static_cast<Eigen::Index>(target_->space().dimension());
  ChainResult result;
  orrery::Chain& chain = result.chain;
  chain.draws.resize(static_cast<Eigen::Index>(steps_), d);
  chain.log_density.resize(static_cast<Eigen::Index>(steps_));
  Eigen::VectorXd energy(static_cast<Eigen::Index>(steps_));

  Hamiltonian system(*target_, d, metric_);
  PhasePoint current(d);
  PhasePoint proposal(d);
  initial_point(system, current, rng, kMaxInitialAttempts, "hmc '" + name_ + "'", index);

  double epsilon = initial_step_size_ > 0.0 ? initial_step_size_
                                            : find_reasonable_step_size(system, current, proposal, rng, 1.0);
  DualAveraging step_adaptation(delta_);
  step_adaptation.restart(epsilon);
  MetricAdaptation metric_adaptation(warmup_, d, metric_);

  double accept_sum = 0.0;
  std::uint64_t unreported = 0;
  const std::uint64_t total = warmup_ + steps_;
  for (std::uint64_t it = 0; it < total; ++it) {
    // One static trajectory.
    system.sample_momentum(current, rng);
    const double h0 = system.hamiltonian(current);
    const double step = epsilon * (1.0 + jitter_ * (2.0 * rng.uniform() - 1.0));
    proposal.assign(current);
    bool divergent = false;
    double h = h0;
    for (std::uint64_t l = 0; l < n_leapfrog_; ++l) {
      system.leapfrog(proposal, step);
      h = system.hamiltonian(proposal);  // +inf if anything is non-finite
      if (!std::isfinite(h) || h - h0 > kMaxEnergyError) {
        divergent = true;
        break;
      }
    }
    double accept_prob = 0.0;
    if (!divergent) {
      accept_prob = h0 - h >= 0.0 ? 1.0 : std::exp(h0 - h);
      if (h0 - h >= 0.0 || rng.uniform() < accept_prob) current.assign(proposal);
    } else {
      ++chain.nonfinite_rejections;
    }

    if (it < warmup_) {
      epsilon = step_adaptation.learn(accept_prob);
      if (metric_adaptation.learn(current.q, system)) {
        epsilon = find_reasonable_step_size(system, current, proposal, rng, epsilon);
        step_adaptation.restart(epsilon);
      }
      if (it + 1 == warmup_) epsilon = step_adaptation.final_step_size();
    } else {
      const Eigen::Index row = static_cast<Eigen::Index>(it - warmup_);
      chain.draws.row(row) = current.q.transpose();
      chain.log_density[row] = current.log_density;
      energy[row] = system.hamiltonian(current);
      accept_sum += accept_prob;
      if (divergent) ++result.divergences;
    }
    if (++unreported == kProgressBatch) {
      progress.advance(unreported);
      unreported = 0;
    }
  }
  if (unreported > 0) progress.advance(unreported);

  chain.evaluations = system.evaluations();
  chain.acceptance_rate = accept_sum / static_cast<double>(steps_);
  result.step_size = epsilon;
  result.ebfmi = ebfmi(energy);
  return result;
}

}  // namespace orrery::samplers
