// NutsSampler: the No-U-Turn sampler (multinomial, generalised U-turn
// criterion, Betancourt 2017, as in Stan) with Stan-style windowed warm-up.
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

/// Multinomial NUTS on a Target with a gradient.
///
/// Trajectories double (forwards or backwards at random) until the generalised
/// U-turn criterion fails on the whole tree or, as in Stan, on the two extended
/// sub-trajectories across each merge, until a divergence (energy error above
/// 1000, or a non-finite log-density or gradient) or until max_depth
/// doublings. The draw is taken by multinomial sampling, biased to the newer
/// subtree.
///
/// Warm-up (Stan's schedule): step size by dual averaging towards `delta`;
/// inverse metric (metric = "diag": diagonal; "dense": full covariance) from a
/// regularised Welford (co)variance over doubling
/// slow windows (initial buffer 75, first window 25, terminal buffer 50,
/// scaled to 15% / 75% / 10% for short warm-ups; none below 20 iterations),
/// with the step-size heuristic rerun after every metric update.
///
/// Chain i draws from ctx.rng().split(i); results do not depend on the number
/// of threads. Bounded parameters are sampled unconstrained (see
/// sampling_target.hpp). Runs for a fixed length or until converged, with
/// checkpoints (chain_driver.hpp). Chain outputs: acceptance_rate is the mean
/// acceptance statistic after warm-up, evaluations counts gradient
/// evaluations (warm-up included), nonfinite_rejections counts divergent
/// transitions (warm-up included), and per draw: step_size, tree_depth,
/// n_leapfrog, divergent (0/1) and energy. Statistics: step_size, tree_depth
/// (mean after warm-up), divergences and max_depth_saturations (after
/// warm-up, all chains), ebfmi (mean over chains), acceptance_rate.
class NutsSampler final : public orrery::Sampler {
 public:
  static constexpr int kMaxInitialAttempts = 100;
  static constexpr double kMaxEnergyError = 1000.0;

  static orrery::Schema options();
  explicit NutsSampler(orrery::Context& ctx);

  orrery::SampleSet run(orrery::Context& ctx) override;
  [[nodiscard]] const orrery::Target& target() const override { return target_.constrained(); }

  /// What one chain needs to know.
  struct Settings {
    std::string name;
    RunLength length;
    int max_depth = 10;
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
