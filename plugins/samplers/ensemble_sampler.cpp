#include "ensemble_sampler.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <numeric>
#include <sstream>
#include <vector>

namespace orrery::samplers {
namespace {

/// Progress is reported in batches of this many ensemble steps.
constexpr std::uint64_t kProgressBatch = 100;

std::string format_real(double value) {
  std::ostringstream out;
  out.precision(10);
  out << value;
  return out.str();
}

std::uint64_t count_option(const orrery::Options& options, std::string_view key, std::int64_t minimum) {
  const std::int64_t value = options.integer(key);
  if (value < minimum)
    options.error(key, "must be at least " + std::to_string(minimum) + ", found " + std::to_string(value));
  return static_cast<std::uint64_t>(value);
}

double real_option(const orrery::Options& options, std::string_view key, double lower, bool strict) {
  const double value = options.real(key);
  if (!std::isfinite(value)) options.error(key, "must be a finite number, found " + format_real(value));
  if (strict ? !(value > lower) : !(value >= lower))
    options.error(key, std::string("must be ") + (strict ? "> " : ">= ") + format_real(lower) + ", found " +
                           format_real(value));
  return value;
}

}  // namespace

orrery::Schema EnsembleSampler::options() {
  using namespace orrery::option;
  return {
      reference("target", orrery::Kind::Target).default_value("@posterior").doc("the density to sample"),
      integer("walkers")
          .min(4)
          .doc("ensemble size, at least 2 x dimension (and 4); default max(32, 2 x dimension + 2). Each walker is "
               "reported as one chain"),
      integer("steps").default_value(5000).min(1).doc("ensemble steps after warm-up"),
      integer("warmup").default_value(1000).min(0).doc("burn-in ensemble steps, discarded"),
      integer("thin").default_value(1).min(1).doc("keep every thin-th step after warm-up"),
      real("stretch_weight")
          .default_value(1.0)
          .min(0.0)
          .doc("relative probability of the stretch move at each step (emcee's default move)"),
      real("de_weight").default_value(0.0).min(0.0).doc("relative probability of the differential-evolution move"),
      real("walk_weight").default_value(0.0).min(0.0).doc("relative probability of the walk move"),
      real("stretch_a").default_value(2.0).greater_than(1.0).doc("stretch scale a: z is drawn on [1/a, a]"),
      real("de_gamma")
          .default_value(0.0)
          .min(0.0)
          .doc("differential-evolution scale gamma; 0 means 2.38 / sqrt(2 x dimension)"),
      real("de_sigma").default_value(1e-5).min(0.0).doc("sd of the normal jitter added per coordinate by the DE move"),
      string("parallel")
          .default_value("auto")
          .choices({"auto", "always", "never"})
          .doc("evaluate the walkers of a half in parallel through the executor: always, never, or auto (when the "
               "first steps show a half's evaluations take longer than about 0.2 ms, so thread start-up does not "
               "dominate cheap densities). Results do not depend on this"),
      integer("walk_size")
          .default_value(0)
          .min(0)
          .doc("complementary walkers each walk move uses (>= 2); 0 means all of the complementary half, as emcee's "
               "WalkMove(s=None)"),
  };
}

EnsembleSampler::EnsembleSampler(orrery::Context& ctx)
    : name_(ctx.name()), target_(&ctx.ref<orrery::Target>("target")) {
  const orrery::Options& options = ctx.options();
  dimension_ = target_->space().dimension();
  if (dimension_ == 0) options.error("target", "the target has no free parameters to sample");
  const auto d = static_cast<std::int64_t>(dimension_);

  if (options.has("walkers")) {
    const std::int64_t walkers = options.integer("walkers");
    if (walkers < 4 || walkers < 2 * d)
      options.error("walkers", "must be at least 2 x dimension = " + std::to_string(2 * d) +
                                   " (and at least 4) for the target's " + std::to_string(d) +
                                   " parameters, found " + std::to_string(walkers));
    walkers_ = static_cast<std::size_t>(walkers);
  } else {
    walkers_ = static_cast<std::size_t>(std::max(kMinimumDefaultWalkers, 2 * d + 2));
  }
  steps_ = count_option(options, "steps", 1);
  warmup_ = count_option(options, "warmup", 0);
  thin_ = count_option(options, "thin", 1);
  if (thin_ > steps_)
    options.error("thin", "must not exceed steps = " + std::to_string(steps_) + ", found " + std::to_string(thin_));

  const std::array<double, 3> weights = {real_option(options, "stretch_weight", 0.0, false),
                                         real_option(options, "de_weight", 0.0, false),
                                         real_option(options, "walk_weight", 0.0, false)};
  const double total = weights[0] + weights[1] + weights[2];
  if (!(total > 0.0))
    options.error("stretch_weight", "the move weights stretch_weight, de_weight and walk_weight are all 0; give at "
                                    "least one a positive weight");
  double running = 0.0;
  for (std::size_t i = 0; i < 3; ++i) {
    running += weights[i];
    cumulative_weights_[i] = running / total;
  }
  cumulative_weights_[2] = 1.0;

  stretch_a_ = real_option(options, "stretch_a", 1.0, true);
  de_gamma_ = real_option(options, "de_gamma", 0.0, false);
  if (de_gamma_ == 0.0) de_gamma_ = 2.38 / std::sqrt(2.0 * static_cast<double>(dimension_));
  de_sigma_ = real_option(options, "de_sigma", 0.0, false);

  const std::string& parallel = options.string("parallel");
  if (parallel == "auto")
    parallel_ = Parallel::Auto;
  else if (parallel == "always")
    parallel_ = Parallel::Always;
  else if (parallel == "never")
    parallel_ = Parallel::Never;
  else
    options.error("parallel", "must be one of auto, always, never; found '" + parallel + "'");

  const std::size_t smaller_half = walkers_ / 2;
  const std::int64_t walk_size = options.integer("walk_size");
  if (walk_size == 0) {
    walk_size_ = smaller_half;
  } else {
    if (walk_size < 2 || static_cast<std::size_t>(walk_size) > smaller_half)
      options.error("walk_size", "must be 0 (all) or between 2 and walkers / 2 = " + std::to_string(smaller_half) +
                                     ", found " + std::to_string(walk_size));
    walk_size_ = static_cast<std::size_t>(walk_size);
  }
}

orrery::SampleSet EnsembleSampler::run(orrery::Context& ctx) {
  const auto d = static_cast<Eigen::Index>(dimension_);
  const std::size_t n_walkers = walkers_;
  const std::uint64_t total_steps = warmup_ + steps_;
  const auto kept = static_cast<Eigen::Index>(steps_ / thin_);
  const std::unique_ptr<orrery::Progress> progress = ctx.progress("ensemble", total_steps);

  // Walker k owns stream k for its whole life (initial point and updates).
  std::vector<orrery::RandomStream> streams;
  streams.reserve(n_walkers);
  for (std::size_t k = 0; k < n_walkers; ++k) streams.push_back(ctx.rng().split(k));
  orrery::RandomStream move_stream = ctx.rng().split("moves");

  // Halves: walkers with even index (0) and with odd index (1).
  std::array<std::vector<std::uint32_t>, 2> halves;
  for (std::size_t k = 0; k < n_walkers; ++k) halves[k % 2].push_back(static_cast<std::uint32_t>(k));

  Eigen::MatrixXd positions(d, n_walkers);   // column per walker
  Eigen::MatrixXd proposals(d, n_walkers);   // per-walker proposal buffer
  Eigen::MatrixXd sums(d, n_walkers);        // per-walker walk-move buffer
  Eigen::VectorXd log_density(static_cast<Eigen::Index>(n_walkers));
  std::vector<std::uint32_t> walk_scratch(n_walkers * halves[0].size());
  std::vector<std::uint64_t> accepted(n_walkers, 0);

  orrery::SampleSet set;
  set.chains.resize(n_walkers);
  for (orrery::Chain& chain : set.chains) {
    chain.draws.resize(kept, d);
    chain.log_density.resize(kept);
  }

  // Initial points, in parallel (each walker its own stream and slot).
  ctx.executor().parallel_for(n_walkers, [&](std::size_t k) {
    orrery::Chain& chain = set.chains[k];
    double value = 0.0;
    for (int attempt = 0; attempt < kMaxInitialAttempts; ++attempt) {
      target_->initial_point(streams[k], positions.col(static_cast<Eigen::Index>(k)));
      value = target_->log_density(positions.col(static_cast<Eigen::Index>(k)));
      ++chain.evaluations;
      if (std::isfinite(value)) {
        log_density[static_cast<Eigen::Index>(k)] = value;
        return;
      }
    }
    throw orrery::Error("ensemble '" + name_ + "', walker " + std::to_string(k) +
                        ": the target's log-density was not finite at any of " +
                        std::to_string(kMaxInitialAttempts) + " initial points (last value " + format_real(value) +
                        "); check that the likelihood can be evaluated inside the prior's support");
  });

  // The per-half update, built once: parallel_for takes it by reference, so
  // the loop below allocates nothing. Work items are contiguous chunks of the
  // half; every walker uses only its own stream and buffers, so the chunking
  // (which depends on the thread count) does not change the results.
  std::size_t half = 0;
  MoveKind move = MoveKind::Stretch;
  bool counting = false;
  std::size_t chunks = 1;
  const auto update = [&](std::size_t k) {
    const auto walker = static_cast<Eigen::Index>(k);
    const std::span<const std::uint32_t> complement(halves[1 - half]);
    auto proposal = proposals.col(walker);
    orrery::RandomStream& rng = streams[k];
    double log_factor = 0.0;
    switch (move) {
      case MoveKind::Stretch:
        log_factor = stretch_move(positions, complement, walker, stretch_a_, rng, proposal);
        break;
      case MoveKind::DifferentialEvolution:
        log_factor = de_move(positions, complement, walker, de_gamma_, de_sigma_, rng, proposal);
        break;
      case MoveKind::Walk:
        log_factor = walk_move(positions, complement, walker, walk_size_, rng,
                               std::span<std::uint32_t>(walk_scratch).subspan(k * halves[0].size(), complement.size()),
                               sums.col(walker), proposal);
        break;
    }
    const double candidate = target_->log_density(proposal);
    orrery::Chain& chain = set.chains[k];
    ++chain.evaluations;
    if (!std::isfinite(candidate)) {
      // NaN or -inf: outside the support. +inf is rejected too.
      ++chain.nonfinite_rejections;
      return;
    }
    const double log_ratio = log_factor + candidate - log_density[walker];
    if (log_ratio >= 0.0 || std::log(rng.uniform_open()) < log_ratio) {
      positions.col(walker) = proposal;
      log_density[walker] = candidate;
      if (counting) ++accepted[k];
    }
  };
  const std::function<void(std::size_t)> body = [&](std::size_t chunk) {
    const std::vector<std::uint32_t>& members = halves[half];
    const std::size_t begin = chunk * members.size() / chunks;
    const std::size_t end = (chunk + 1) * members.size() / chunks;
    for (std::size_t i = begin; i < end; ++i) update(members[i]);
  };
  const std::size_t concurrency = std::max<std::size_t>(1, ctx.executor().concurrency());
  // Parallel or serial only changes the scheduling, never the results.
  bool parallel = parallel_ == Parallel::Always && concurrency > 1;
  const bool calibrate = parallel_ == Parallel::Auto && concurrency > 1;
  const std::uint64_t calibration_steps = std::min<std::uint64_t>(kCalibrationSteps, total_steps);
  const auto calibration_start = std::chrono::steady_clock::now();

  std::uint64_t unreported = 0;
  for (std::uint64_t step = 0; step < total_steps; ++step) {
    if (calibrate && step == calibration_steps) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - calibration_start).count();
      parallel = seconds / (2.0 * static_cast<double>(calibration_steps)) > kParallelHalfSeconds;
    }
    const double u = move_stream.uniform();
    move = u < cumulative_weights_[0]   ? MoveKind::Stretch
           : u < cumulative_weights_[1] ? MoveKind::DifferentialEvolution
                                        : MoveKind::Walk;
    counting = step >= warmup_;
    for (half = 0; half < 2; ++half) {
      chunks = parallel ? std::min(concurrency, halves[half].size()) : 1;
      if (chunks == 1)
        body(0);
      else
        ctx.executor().parallel_for(chunks, body);
    }
    if (counting && (step - warmup_ + 1) % thin_ == 0) {
      const auto row = static_cast<Eigen::Index>((step - warmup_) / thin_);
      for (std::size_t k = 0; k < n_walkers; ++k) {
        set.chains[k].draws.row(row) = positions.col(static_cast<Eigen::Index>(k)).transpose();
        set.chains[k].log_density[row] = log_density[static_cast<Eigen::Index>(k)];
      }
    }
    if (++unreported == kProgressBatch) {
      progress->advance(unreported);
      unreported = 0;
    }
  }
  if (unreported > 0) progress->advance(unreported);

  double acceptance = 0.0;
  for (std::size_t k = 0; k < n_walkers; ++k) {
    set.chains[k].acceptance_rate = static_cast<double>(accepted[k]) / static_cast<double>(steps_);
    acceptance += set.chains[k].acceptance_rate;
  }
  set.statistics.emplace_back("acceptance_rate", acceptance / static_cast<double>(n_walkers));
  set.statistics.emplace_back("walkers", static_cast<double>(n_walkers));
  return set;
}

}  // namespace orrery::samplers
