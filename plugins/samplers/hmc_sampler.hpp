// HmcSampler: static Hamiltonian Monte Carlo with Stan-style warm-up.
#pragma once

#include <cstdint>
#include <string>

#include <orrery/context.hpp>
#include <orrery/sampler.hpp>
#include <orrery/schema.hpp>

#include "chain_driver.hpp"
#include "metric_adaptation.hpp"
#include "sampling_target.hpp"

namespace orrery::samplers {

/// Static HMC: n_leapfrog leapfrog steps per transition with the step size
/// jittered uniformly by ±jitter (default 10%), then a Metropolis correction.
/// Warm-up, outputs and reproducibility as NutsSampler (same dual averaging
/// and windowed diag/dense metric adaptation). A trajectory whose energy error
/// exceeds 1000 or whose log-density or gradient becomes non-finite is
/// stopped, rejected and counted as divergent (Chain::nonfinite_rejections,
/// statistic "divergences" after warm-up). Bounded parameters are sampled
/// unconstrained; fixed length or until converged, with checkpoints.
/// Statistics: acceptance_rate, step_size, divergences, ebfmi. Per draw:
/// step_size, divergent (0/1), energy.
class HmcSampler final : public orrery::Sampler {
 public:
  static constexpr int kMaxInitialAttempts = 100;
  static constexpr double kMaxEnergyError = 1000.0;

  static orrery::Schema options();
  explicit HmcSampler(orrery::Context& ctx);

  orrery::SampleSet run(orrery::Context& ctx) override;
  [[nodiscard]] const orrery::Target& target() const override { return target_.constrained(); }

  /// What one chain needs to know.
  struct Settings {
    std::string name;
    RunLength length;
    std::uint64_t n_leapfrog = 20;
    double jitter = 0.1;
    double delta = 0.8;
    double initial_step_size = 0.0;  ///< 0: heuristic from 1
    MetricShape metric = MetricShape::Diagonal;
  };

 private:
  SamplingTarget target_;
  std::uint64_t chains_;
  Settings settings_;
};

}  // namespace orrery::samplers
