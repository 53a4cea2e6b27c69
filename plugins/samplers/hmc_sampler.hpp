// HmcSampler: static Hamiltonian Monte Carlo with Stan-style warm-up.
#pragma once

#include <cstdint>
#include <string>

#include <orrery/context.hpp>
#include <orrery/sampler.hpp>
#include <orrery/schema.hpp>

#include "metric_adaptation.hpp"

namespace orrery::samplers {

/// Static HMC: n_leapfrog leapfrog steps per transition with the step size
/// jittered uniformly by ±jitter (default 10%), then a Metropolis correction.
/// Warm-up, outputs and reproducibility as NutsSampler (same dual averaging
/// and windowed diag/dense metric adaptation). A trajectory whose energy error
/// exceeds 1000 or whose log-density or gradient becomes non-finite is
/// stopped, rejected and counted as divergent (Chain::nonfinite_rejections,
/// statistic "divergences" after warm-up). Statistics: acceptance_rate,
/// step_size, divergences, ebfmi.
class HmcSampler final : public orrery::Sampler {
 public:
  static constexpr int kMaxInitialAttempts = 100;
  static constexpr double kMaxEnergyError = 1000.0;

  static orrery::Schema options();
  explicit HmcSampler(orrery::Context& ctx);

  orrery::SampleSet run(orrery::Context& ctx) override;
  [[nodiscard]] const orrery::Target& target() const override { return *target_; }

 private:
  struct ChainResult;
  [[nodiscard]] ChainResult run_chain(std::size_t index, orrery::RandomStream rng, orrery::Progress& progress) const;

  std::string name_;
  const orrery::Target* target_;
  std::uint64_t chains_;
  std::uint64_t steps_;
  std::uint64_t warmup_;
  std::uint64_t n_leapfrog_;
  double jitter_;
  double delta_;
  double initial_step_size_;  ///< 0: heuristic from 1
  MetricShape metric_ = MetricShape::Diagonal;
};

}  // namespace orrery::samplers
