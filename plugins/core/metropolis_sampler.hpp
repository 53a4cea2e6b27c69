// MetropolisSampler ("core.metropolis"): adaptive random-walk Metropolis.
#pragma once

#include <cstdint>
#include <string>

#include <orrery/context.hpp>
#include <orrery/sampler.hpp>
#include <orrery/schema.hpp>

#include "adaptive_proposal.hpp"

namespace orrery::core {

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
/// Chain::nonfinite_rejections.
class MetropolisSampler final : public orrery::Sampler {
 public:
  static constexpr int kMaxInitialAttempts = 100;
  static constexpr int kScaleProbePoints = 32;
  /// Above this dimension, proposal = "auto" adapts only the variances.
  static constexpr std::size_t kMaxAutoFullDimension = 200;

  static orrery::Schema options();
  explicit MetropolisSampler(orrery::Context& ctx);

  orrery::SampleSet run(orrery::Context& ctx) override;
  [[nodiscard]] const orrery::Target& target() const override { return *target_; }

 private:
  struct ChainResult;
  [[nodiscard]] ChainResult run_chain(std::size_t index, orrery::RandomStream rng, orrery::Progress& progress) const;
  /// Draws the starting point into x and returns its log-density.
  double start(std::size_t index, orrery::RandomStream& rng, Eigen::VectorXd& x, std::uint64_t& evaluations) const;
  /// The initial per-coordinate proposal standard deviation.
  [[nodiscard]] Eigen::VectorXd initial_proposal_sd(orrery::RandomStream& rng) const;

  std::string name_;
  const orrery::Target* target_;
  std::uint64_t chains_;
  std::uint64_t steps_;
  std::uint64_t warmup_;
  std::uint64_t thin_;
  double initial_scale_;
  double target_acceptance_;
  bool adapt_;
  AdaptiveProposal::Shape shape_;
};

}  // namespace orrery::core
