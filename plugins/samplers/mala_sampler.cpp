#include "mala_sampler.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "metric_adaptation.hpp"
#include "step_size_adaptation.hpp"

namespace orrery::samplers {
namespace {
constexpr std::uint64_t kProgressBatch = 50;
}  // namespace

struct MalaSampler::ChainResult {
  orrery::Chain chain;
  double step_size = 0.0;
  std::uint64_t rejections = 0;  ///< non-finite proposals after warm-up
};

orrery::Schema MalaSampler::options() {
  using namespace orrery::option;
  return {reference("target", orrery::Kind::Target).default_value("@posterior").doc("the density to sample (needs a gradient)"),
          integer("chains").default_value(4).min(1).doc("number of independent chains"),
          integer("steps").default_value(1000).min(1).doc("draws per chain after warm-up"),
          integer("warmup").default_value(1000).min(0).doc("adaptation iterations per chain (step size and diagonal metric), discarded"),
          real("target_acceptance").default_value(0.574).greater_than(0.0).less_than(1.0).doc("acceptance probability the step-size adaptation aims for"),
          real("initial_step_size").greater_than(0.0).doc("first step size; default: Stan's heuristic from 1")};
}

MalaSampler::MalaSampler(orrery::Context& ctx) : name_(ctx.name()), target_(&ctx.ref<orrery::Target>("target")) {
  const orrery::Options& options = ctx.options();
  if (!target_->has_gradient())
    options.error("target", "the MALA sampler needs a gradient; the target '" + target_label(ctx) +
                                "' has none (use a sampler that needs only densities, such as core.metropolis)");
  chains_ = count_option(options, "chains", 1);
  steps_ = count_option(options, "steps", 1);
  warmup_ = count_option(options, "warmup", 0);
  target_acceptance_ = options.real("target_acceptance");
  if (!(target_acceptance_ > 0.0 && target_acceptance_ < 1.0))
    options.error("target_acceptance", "must lie in (0, 1), found " + format_real(target_acceptance_));
  initial_step_size_ = 0.0;
  if (options.has("initial_step_size")) {
    initial_step_size_ = options.real("initial_step_size");
    if (!(std::isfinite(initial_step_size_) && initial_step_size_ > 0.0))
      options.error("initial_step_size", "must be finite and > 0, found " + format_real(initial_step_size_));
  }
  if (target_->space().dimension() == 0) options.error("target", "the target has no free parameters to sample");
}

orrery::SampleSet MalaSampler::run(orrery::Context& ctx) {
  std::vector<ChainResult> results = run_chains<ChainResult>(
      ctx, "mala", chains_, warmup_ + steps_,
      [this](std::size_t i, orrery::RandomStream rng, orrery::Progress& progress) { return run_chain(i, rng, progress); });

  orrery::SampleSet set;
  double acceptance = 0.0, step = 0.0;
  std::uint64_t rejections = 0;
  for (ChainResult& r : results) {
    acceptance += r.chain.acceptance_rate;
    step += r.step_size;
    rejections += r.rejections;
    set.chains.push_back(std::move(r.chain));
  }
  const double n = static_cast<double>(chains_);
  set.statistics.emplace_back("acceptance_rate", acceptance / n);
  set.statistics.emplace_back("step_size", step / n);
  set.statistics.emplace_back("nonfinite_rejections", static_cast<double>(rejections));
  return set;
}

MalaSampler::ChainResult MalaSampler::run_chain(std::size_t index, orrery::RandomStream rng,
                                                orrery::Progress& progress) const {
  const Eigen::Index d = static_cast<Eigen::Index>(target_->space().dimension());
  ChainResult result;
  orrery::Chain& chain = result.chain;
  chain.draws.resize(static_cast<Eigen::Index>(steps_), d);
  chain.log_density.resize(static_cast<Eigen::Index>(steps_));

  Hamiltonian system(*target_, d, MetricShape::Diagonal);
  PhasePoint current(d);
  PhasePoint proposal(d);
  initial_point(system, current, rng, kMaxInitialAttempts, "mala '" + name_ + "'", index);

  // A MALA step is one leapfrog step of HMC with a fresh momentum, so Stan's
  // heuristic gives a sensible starting step size.
  double epsilon = initial_step_size_ > 0.0 ? initial_step_size_
                                            : find_reasonable_step_size(system, current, proposal, rng, 1.0);
  DualAveraging step_adaptation(target_acceptance_);
  step_adaptation.restart(epsilon);
  MetricAdaptation metric_adaptation(warmup_, d, MetricShape::Diagonal);
  Eigen::VectorXd variance = system.inverse_metric_diagonal();  // M⁻¹
  Eigen::VectorXd scale = variance.cwiseSqrt();                 // M^{-1/2}

  double accept_sum = 0.0;
  std::uint64_t unreported = 0;
  const std::uint64_t total = warmup_ + steps_;
  for (std::uint64_t it = 0; it < total; ++it) {
    // Proposal; proposal.p holds ξ.
    const double half_eps2 = 0.5 * epsilon * epsilon;
    double forward = 0.0;  // log q(x' | x) up to the shared constant
    for (Eigen::Index i = 0; i < d; ++i) {
      const double xi = rng.normal();
      proposal.p[i] = xi;
      forward -= 0.5 * xi * xi;
      proposal.q[i] = current.q[i] + half_eps2 * variance[i] * current.grad[i] + epsilon * scale[i] * xi;
    }
    system.evaluate(proposal);
    double accept_prob = 0.0;
    bool nonfinite = !std::isfinite(proposal.log_density) || !proposal.grad.allFinite();
    if (!nonfinite) {
      double reverse = 0.0;  // log q(x | x')
      for (Eigen::Index i = 0; i < d; ++i) {
        const double r = (current.q[i] - proposal.q[i] - half_eps2 * variance[i] * proposal.grad[i]) /
                         (epsilon * scale[i]);
        reverse -= 0.5 * r * r;
      }
      const double log_ratio = proposal.log_density - current.log_density + reverse - forward;
      if (std::isnan(log_ratio)) {
        nonfinite = true;
      } else {
        accept_prob = log_ratio >= 0.0 ? 1.0 : std::exp(log_ratio);
        if (log_ratio >= 0.0 || rng.uniform() < accept_prob) current.assign(proposal);
      }
    }
    if (nonfinite) ++chain.nonfinite_rejections;

    if (it < warmup_) {
      epsilon = step_adaptation.learn(accept_prob);
      if (metric_adaptation.learn(current.q, system)) {
        variance = system.inverse_metric_diagonal();
        scale = variance.cwiseSqrt();
        epsilon = find_reasonable_step_size(system, current, proposal, rng, epsilon);
        step_adaptation.restart(epsilon);
      }
      if (it + 1 == warmup_) epsilon = step_adaptation.final_step_size();
    } else {
      const Eigen::Index row = static_cast<Eigen::Index>(it - warmup_);
      chain.draws.row(row) = current.q.transpose();
      chain.log_density[row] = current.log_density;
      accept_sum += accept_prob;
      if (nonfinite) ++result.rejections;
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
  return result;
}

}  // namespace orrery::samplers
