// MalaSampler: Metropolis-adjusted Langevin algorithm with dual-averaging
// step size and Stan-style windowed diagonal metric adaptation.
#pragma once

#include <cstdint>
#include <string>

#include <orrery/context.hpp>
#include <orrery/sampler.hpp>
#include <orrery/schema.hpp>

#include "chain_driver.hpp"
#include "sampling_target.hpp"

namespace orrery::samplers {

/// MALA: proposal x' = x + (ε²/2) M⁻¹ ∇log p(x) + ε M^{-1/2} ξ, ξ ~ N(0, I),
/// accepted with the Metropolis–Hastings ratio using the reverse proposal
/// density q(x | x'). During warm-up the step size ε is adapted by dual
/// averaging towards `target_acceptance` (default 0.574, the optimal MALA
/// acceptance rate) and a diagonal inverse metric M⁻¹ is learnt in Stan's
/// windows (as HMC/NUTS with metric = diag; no dense option). Does not use
/// HamiltonianOptions, so the option is `target_acceptance`, not `delta`.
/// A proposal whose log-density or gradient is not finite is rejected and
/// counted in Chain::nonfinite_rejections. Statistics: acceptance_rate,
/// step_size, nonfinite_rejections (after warm-up). Chain i uses
/// ctx.rng().split(i): results do not depend on the thread count. Each
/// transition allocates nothing. Bounded parameters are sampled
/// unconstrained; fixed length or until converged, with checkpoints.
class MalaSampler final : public orrery::Sampler {
 public:
  static constexpr int kMaxInitialAttempts = 100;

  static orrery::Schema options();
  explicit MalaSampler(orrery::Context& ctx);

  orrery::SampleSet run(orrery::Context& ctx) override;
  [[nodiscard]] const orrery::Target& target() const override { return target_.constrained(); }

  /// What one chain needs to know.
  struct Settings {
    std::string name;
    RunLength length;
    double target_acceptance = 0.574;
    double initial_step_size = 0.0;  ///< 0: heuristic from 1
  };

 private:
  SamplingTarget target_;
  std::uint64_t chains_;
  Settings settings_;
};

}  // namespace orrery::samplers
