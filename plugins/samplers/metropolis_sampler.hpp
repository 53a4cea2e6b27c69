// MetropolisSampler ("samplers.metropolis"): adaptive random-walk Metropolis.
#pragma once

#include <cstdint>
#include <string>

#include <orrery/context.hpp>
#include <orrery/sampler.hpp>
#include <orrery/schema.hpp>

#include "adaptive_proposal.hpp"
#include "chain_driver.hpp"
#include "sampling_target.hpp"

namespace orrery::samplers {

/// Adaptive random-walk Metropolis (Haario et al. 2001) on a Target.
///
/// Each chain starts from target.initial_point(), retried up to
/// kMaxInitialAttempts times until the log-density is finite. Its initial
/// proposal is diagonal, with per-coordinate standard deviation
/// `initial_scale` times the spread of 32 further initial points (prior draws
/// for "@posterior"; 1 where they do not spread). During warm-up the proposal
/// learns the chain's covariance and a global scale (see AdaptiveProposal);
/// after warm-up it is frozen and every `thin`-th state is kept.
///
/// Chain i draws from ctx.rng().split(i) and chains run through
/// ctx.executor(), so results are bit-identical for any thread count.
/// Non-finite proposal densities (NaN, ±inf) are rejections, counted in
/// Chain::nonfinite_rejections. Bounded parameters are sampled unconstrained
/// (sampling_target.hpp); fixed length or until converged, with checkpoints
/// (chain_driver.hpp; steps and check_every count steps, before thinning).
class MetropolisSampler final : public orrery::Sampler {
 public:
  static constexpr int kMaxInitialAttempts = 100;
  static constexpr int kScaleProbePoints = 32;
  /// Above this dimension, proposal = "auto" adapts only the variances.
  static constexpr std::size_t kMaxAutoFullDimension = 200;

  static orrery::Schema options();
  explicit MetropolisSampler(orrery::Context& ctx);

  orrery::SampleSet run(orrery::Context& ctx) override;
  [[nodiscard]] const orrery::Target& target() const override { return target_.constrained(); }

  /// What one chain needs to know.
  struct Settings {
    std::string name;
    RunLength length;
    std::uint64_t thin = 1;
    double initial_scale = 0.1;
    double target_acceptance = 0.234;
    bool adapt = true;
    AdaptiveProposal::Shape shape = AdaptiveProposal::Shape::Full;
  };

 private:
  SamplingTarget target_;
  std::uint64_t chains_;
  Settings settings_;
};

}  // namespace orrery::samplers
