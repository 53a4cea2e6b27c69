// EnsembleSampler ("samplers.ensemble"): the affine-invariant ensemble sampler
// of Goodman & Weare (2010), as implemented in emcee (Foreman-Mackey et al.
// 2013).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <orrery/context.hpp>
#include <orrery/sampler.hpp>
#include <orrery/schema.hpp>

#include "chain_driver.hpp"
#include "ensemble_moves.hpp"
#include "sampling_target.hpp"

namespace orrery::samplers {

class EnsembleState;

/// Affine-invariant ensemble MCMC with stretch, differential-evolution and
/// walk moves.
///
/// The ensemble of `walkers` walkers is split into two fixed halves (even and
/// odd walker indices). Each step updates the first half using the second as
/// the complementary ensemble, then the second half using the (updated)
/// first, which keeps the joint chain in detailed balance (the "red-blue"
/// parallel scheme of Foreman-Mackey et al. 2013, §3). At every step one move
/// is chosen for the whole ensemble, with probability proportional to the
/// weights `stretch_weight`, `de_weight` and `walk_weight`, as emcee does
/// with `moves=[(StretchMove(), 0.8), (DEMove(), 0.2)]`.
///
/// Output: every walker is one orrery::Chain (rows: its retained states after
/// warm-up, every `thin`-th step), so the kernel's summary pools all walkers
/// for means and intervals and computes R-hat and ESS across them. Walkers of
/// one ensemble are not independent chains; R-hat across them is a
/// consistency check, not a convergence proof. Chain::evaluations counts that
/// walker's log-density evaluations (initial points included),
/// Chain::acceptance_rate its acceptance after warm-up, and
/// Chain::nonfinite_rejections its proposals whose density was NaN or ±inf
/// (always rejected, never a crash). Bounded parameters are sampled
/// unconstrained (sampling_target.hpp); fixed length or until converged, with
/// checkpoints (chain_driver.hpp; check_every counts ensemble steps).
///
/// Randomness: walker k uses ctx.rng().split(k) for its initial point and
/// all of its updates; the move choice uses ctx.rng().split("moves"). The
/// walkers of a half are evaluated in parallel through ctx.executor(), each
/// writing only its own slot, so results are bit-identical for any thread
/// count and for any `parallel` setting. The sampler's hot loop allocates
/// nothing (the executor may: the kernel's ThreadExecutor starts its threads
/// on every call, which is why `parallel = "auto"` keeps cheap densities
/// serial).
class EnsembleSampler final : public orrery::Sampler {
 public:
  static constexpr int kMaxInitialAttempts = 100;
  static constexpr std::int64_t kMinimumDefaultWalkers = 32;
  /// parallel = "auto": the first kCalibrationSteps steps run serially and
  /// are timed; the rest run in parallel if a half took longer than this.
  static constexpr std::uint64_t kCalibrationSteps = 5;
  static constexpr double kParallelHalfSeconds = 2e-4;

  static orrery::Schema options();
  explicit EnsembleSampler(orrery::Context& ctx);

  orrery::SampleSet run(orrery::Context& ctx) override;
  [[nodiscard]] const orrery::Target& target() const override { return target_.constrained(); }

  [[nodiscard]] std::size_t walkers() const { return walkers_; }
  /// The DE scale actually used (de_gamma, or 2.38 / sqrt(2 d) when 0).
  [[nodiscard]] double de_gamma() const { return de_gamma_; }
  /// The walk-move subset size actually used.
  [[nodiscard]] std::size_t walk_size() const { return walk_size_; }

 private:
  friend class EnsembleState;

  std::string name_;
  SamplingTarget target_;
  std::size_t dimension_;
  std::size_t walkers_;
  RunLength length_;  ///< steps and warm-up in ensemble steps
  std::uint64_t thin_;
  double stretch_a_;
  double de_gamma_;
  double de_sigma_;
  std::size_t walk_size_;
  enum class Parallel { Auto, Always, Never } parallel_ = Parallel::Auto;
  std::array<double, 3> cumulative_weights_{};  ///< stretch, de, walk; normalised to end at 1
};

}  // namespace orrery::samplers
