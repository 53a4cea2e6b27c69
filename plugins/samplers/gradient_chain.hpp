// GradientChainCore: what every gradient-based chain of this library (NUTS,
// static HMC, MALA) holds and does the same way: its random stream, the
// Hamiltonian system and metric, the current point, the step size with Stan's
// initialisation and dual averaging, the windowed metric adaptation, and the
// counters. Each sampler's chain class adds its own transition on top.
#pragma once

#include <cstdint>
#include <string>

#include <orrery/random.hpp>
#include <orrery/sample_set.hpp>
#include <orrery/target.hpp>

#include "metric_adaptation.hpp"
#include "step_size_adaptation.hpp"

namespace orrery::samplers {

struct GradientChainCore {
  GradientChainCore(const orrery::Target& target, orrery::RandomStream stream, MetricShape metric, double delta,
                    std::uint64_t warmup_iterations)
      : rng(stream), system(target, static_cast<Eigen::Index>(target.space().dimension()), metric),
        current(dimension()), proposal(dimension()), step_adaptation(delta),
        metric_adaptation(warmup_iterations, dimension(), metric), warmup(warmup_iterations) {}

  [[nodiscard]] Eigen::Index dimension() const {
    return static_cast<Eigen::Index>(system.target().space().dimension());
  }
  [[nodiscard]] bool warming_up() const { return iteration < warmup; }

  /// Draws the initial point (up to `attempts` tries; errors name `sampler`
  /// and the chain), then the first step size: `initial_step_size` if
  /// positive, else Stan's heuristic from 1.
  void start(double initial_step_size, const std::string& sampler, std::size_t chain, int attempts) {
    initial_point(system, current, rng, attempts, sampler, chain);
    epsilon = initial_step_size > 0.0 ? initial_step_size
                                      : find_reasonable_step_size(system, current, proposal, rng, 1.0);
    step_adaptation.restart(epsilon);
  }

  /// One warm-up iteration's adaptation after a transition with acceptance
  /// statistic `accept_stat`: dual averaging of the step size, the metric at
  /// the end of each slow window (with the step-size heuristic rerun), and
  /// the averaged step size at the end of warm-up. Call only while
  /// warming_up().
  void adapt(double accept_stat) {
    epsilon = step_adaptation.learn(accept_stat);
    if (metric_adaptation.learn(current.q, system)) {
      epsilon = find_reasonable_step_size(system, current, proposal, rng, epsilon);
      step_adaptation.restart(epsilon);
    }
    if (iteration + 1 == warmup) epsilon = step_adaptation.final_step_size();
  }

  /// Fills the chain's counters: evaluations, non-finite rejections, and the
  /// mean acceptance statistic over its `draws` retained draws.
  void report(orrery::Chain& chain, Eigen::Index draws) const {
    chain.evaluations = system.evaluations();
    chain.nonfinite_rejections = nonfinite;
    chain.acceptance_rate = accept_sum / static_cast<double>(draws);
  }

  template <typename IO>
  void visit(IO& io) {
    io(rng);
    system.visit(io);
    current.visit(io);
    io(epsilon);
    step_adaptation.visit(io);
    metric_adaptation.visit(io);
    io(iteration);
    io(nonfinite);
    io(accept_sum);
  }

  orrery::RandomStream rng;
  Hamiltonian system;
  PhasePoint current;
  PhasePoint proposal;  ///< the next candidate (HMC, MALA) and scratch for the step-size heuristic
  double epsilon = 1.0;
  DualAveraging step_adaptation;
  MetricAdaptation metric_adaptation;
  std::uint64_t warmup;
  std::uint64_t iteration = 0;
  std::uint64_t nonfinite = 0;  ///< divergent or non-finite transitions, warm-up included
  double accept_sum = 0.0;      ///< acceptance statistics after warm-up
};

}  // namespace orrery::samplers
