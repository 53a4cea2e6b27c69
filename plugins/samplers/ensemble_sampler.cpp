#include "ensemble_sampler.hpp"

#include "metric_adaptation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <span>
#include <numeric>
#include <sstream>
#include <vector>

namespace orrery::samplers {
namespace {

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
  orrery::Schema schema{
      reference("target", orrery::Kind::Target).default_value("@posterior").doc("the density to sample"),
      integer("walkers")
          .min(4)
          .doc("ensemble size, at least 2 x dimension (and 4); default max(32, 2 x dimension + 2). Each walker is "
               "reported as one chain"),
      integer("steps").default_value(5000).min(1).doc("ensemble steps after warm-up (the most, with until_converged)"),
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
        SamplingTarget::option(),
  };
  for (orrery::OptionSpec& spec : RunLength::options()) schema.push_back(std::move(spec));
  return schema;
}

EnsembleSampler::EnsembleSampler(orrery::Context& ctx)
    : name_(ctx.name()), target_(ctx) {
  const orrery::Options& options = ctx.options();
  dimension_ = target_.constrained().space().dimension();
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
  length_ = RunLength::read(options);
  thin_ = count_option(options, "thin", 1);
  if (thin_ > length_.steps)
    options.error("thin", "must not exceed steps = " + std::to_string(length_.steps) + ", found " + std::to_string(thin_));

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

/// The whole ensemble as one resumable state (see chain_driver.hpp): one
/// iterate() is one ensemble step (both halves).
class EnsembleState {
 public:
  EnsembleState(const EnsembleSampler& sampler, orrery::Context& ctx)
      : sampler_(sampler), target_(sampler.target_.sampled()), executor_(ctx.executor()),
        d_(static_cast<Eigen::Index>(sampler.dimension_)), n_walkers_(sampler.walkers_),
        move_stream_(ctx.rng().split("moves")), positions_(d_, static_cast<Eigen::Index>(n_walkers_)),
        proposals_(d_, static_cast<Eigen::Index>(n_walkers_)), sums_(d_, static_cast<Eigen::Index>(n_walkers_)),
        log_density_(static_cast<Eigen::Index>(n_walkers_)), accepted_(n_walkers_, 0), evaluations_(n_walkers_, 0),
        nonfinite_(n_walkers_, 0) {
    // Walker k owns stream k for its whole life (initial point and updates).
    streams_.reserve(n_walkers_);
    for (std::size_t k = 0; k < n_walkers_; ++k) streams_.push_back(ctx.rng().split(k));
    // Halves: walkers with even index (0) and with odd index (1).
    for (std::size_t k = 0; k < n_walkers_; ++k) halves_[k % 2].push_back(static_cast<std::uint32_t>(k));
    walk_scratch_.resize(n_walkers_ * halves_[0].size());
    draws_.reserve(n_walkers_);
    for (std::size_t k = 0; k < n_walkers_; ++k) {
      draws_.emplace_back(d_);
      draws_.back().reserve(sampler.length_.steps / sampler.thin_);
    }
    concurrency_ = std::max<std::size_t>(1, executor_.concurrency());
    parallel_ = sampler.parallel_ == EnsembleSampler::Parallel::Always && concurrency_ > 1;
    calibrate_ = sampler.parallel_ == EnsembleSampler::Parallel::Auto && concurrency_ > 1;
    body_ = [this](std::size_t chunk) {
      const std::vector<std::uint32_t>& members = halves_[half_];
      const std::size_t begin = chunk * members.size() / chunks_;
      const std::size_t end = (chunk + 1) * members.size() / chunks_;
      for (std::size_t i = begin; i < end; ++i) update(members[i]);
    };
  }

  /// Initial points, in parallel (each walker its own stream and slot).
  void start() {
    executor_.parallel_for(n_walkers_, [&](std::size_t k) {
      double value = 0.0;
      for (int attempt = 0; attempt < EnsembleSampler::kMaxInitialAttempts; ++attempt) {
        target_.initial_point(streams_[k], positions_.col(static_cast<Eigen::Index>(k)));
        value = target_.log_density(positions_.col(static_cast<Eigen::Index>(k)));
        ++evaluations_[k];
        if (std::isfinite(value)) {
          log_density_[static_cast<Eigen::Index>(k)] = value;
          return;
        }
      }
      throw orrery::Error("ensemble '" + sampler_.name_ + "', walker " + std::to_string(k) +
                          ": the target's log-density was not finite at any of " +
                          std::to_string(EnsembleSampler::kMaxInitialAttempts) + " initial points (last value " +
                          format_real(value) + "); check that the likelihood can be evaluated inside the prior's support");
    });
  }

  void iterate() {
    // parallel = "auto": time the first steps of this process (serially) and
    // go parallel if a half is slow enough. Scheduling only, never results.
    if (calibrate_ && timed_steps_ == 0) calibration_start_ = std::chrono::steady_clock::now();
    if (calibrate_ && timed_steps_ == EnsembleSampler::kCalibrationSteps) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - calibration_start_).count();
      parallel_ = seconds / (2.0 * static_cast<double>(timed_steps_)) > EnsembleSampler::kParallelHalfSeconds;
      calibrate_ = false;
    }
    ++timed_steps_;

    const double u = move_stream_.uniform();
    const auto& weights = sampler_.cumulative_weights_;
    move_ = u < weights[0] ? MoveKind::Stretch : u < weights[1] ? MoveKind::DifferentialEvolution : MoveKind::Walk;
    const std::uint64_t warmup = sampler_.length_.warmup;
    counting_ = step_ >= warmup;
    for (half_ = 0; half_ < 2; ++half_) {
      chunks_ = parallel_ ? std::min(concurrency_, halves_[half_].size()) : 1;
      if (chunks_ == 1)
        body_(0);
      else
        executor_.parallel_for(chunks_, body_);
    }
    if (counting_ && (step_ - warmup + 1) % sampler_.thin_ == 0)
      for (std::size_t k = 0; k < n_walkers_; ++k)
        draws_[k].append(positions_.col(static_cast<Eigen::Index>(k)), log_density_[static_cast<Eigen::Index>(k)]);
    ++step_;
  }

  template <typename IO>
  void visit(IO& io) {
    for (orrery::RandomStream& s : streams_) io(s);
    io(move_stream_);
    io(positions_);
    io(log_density_);
    io(accepted_);
    io(evaluations_);
    io(nonfinite_);
    io(step_);
    for (DrawStore& d : draws_) d.visit(io);
  }

  void collect(std::vector<const DrawStore*>& out) const {
    for (const DrawStore& d : draws_) out.push_back(&d);
  }

  /// Moves every walker's draws into `set` as one chain each.
  void finish(orrery::SampleSet& set) {
    const double sampled_steps = static_cast<double>(step_ - std::min(step_, sampler_.length_.warmup));
    double acceptance = 0.0;
    for (std::size_t k = 0; k < n_walkers_; ++k) {
      orrery::Chain chain = draws_[k].to_chain();
      chain.evaluations = evaluations_[k];
      chain.nonfinite_rejections = nonfinite_[k];
      chain.acceptance_rate = static_cast<double>(accepted_[k]) / sampled_steps;
      acceptance += chain.acceptance_rate;
      set.chains.push_back(std::move(chain));
    }
    set.statistics.emplace_back("acceptance_rate", acceptance / static_cast<double>(n_walkers_));
    set.statistics.emplace_back("walkers", static_cast<double>(n_walkers_));
  }

 private:
  /// Proposes and accepts or rejects a move of walker k against the other half.
  void update(std::size_t k) {
    const auto walker = static_cast<Eigen::Index>(k);
    const std::span<const std::uint32_t> complement(halves_[1 - half_]);
    auto proposal = proposals_.col(walker);
    orrery::RandomStream& rng = streams_[k];
    double log_factor = 0.0;
    switch (move_) {
      case MoveKind::Stretch:
        log_factor = stretch_move(positions_, complement, walker, sampler_.stretch_a_, rng, proposal);
        break;
      case MoveKind::DifferentialEvolution:
        log_factor = de_move(positions_, complement, walker, sampler_.de_gamma_, sampler_.de_sigma_, rng, proposal);
        break;
      case MoveKind::Walk:
        log_factor = walk_move(positions_, complement, walker, sampler_.walk_size_, rng,
                               std::span<std::uint32_t>(walk_scratch_).subspan(k * halves_[0].size(), complement.size()),
                               sums_.col(walker), proposal);
        break;
    }
    const double candidate = target_.log_density(proposal);
    ++evaluations_[k];
    if (!std::isfinite(candidate)) {
      // NaN or -inf: outside the support. +inf is rejected too.
      ++nonfinite_[k];
      return;
    }
    const double log_ratio = log_factor + candidate - log_density_[walker];
    if (log_ratio >= 0.0 || std::log(rng.uniform_open()) < log_ratio) {
      positions_.col(walker) = proposal;
      log_density_[walker] = candidate;
      if (counting_) ++accepted_[k];
    }
  }

  const EnsembleSampler& sampler_;
  const orrery::Target& target_;
  orrery::Executor& executor_;
  Eigen::Index d_;
  std::size_t n_walkers_;
  std::vector<orrery::RandomStream> streams_;
  orrery::RandomStream move_stream_;
  std::array<std::vector<std::uint32_t>, 2> halves_;
  Eigen::MatrixXd positions_;  ///< column per walker
  Eigen::MatrixXd proposals_;  ///< per-walker proposal buffer
  Eigen::MatrixXd sums_;       ///< per-walker walk-move buffer
  Eigen::VectorXd log_density_;
  std::vector<std::uint32_t> walk_scratch_;
  std::vector<std::uint64_t> accepted_, evaluations_, nonfinite_;
  std::vector<DrawStore> draws_;
  std::uint64_t step_ = 0;
  // Scheduling of one step (never part of the results).
  std::size_t half_ = 0;
  MoveKind move_ = MoveKind::Stretch;
  bool counting_ = false;
  std::size_t chunks_ = 1;
  std::size_t concurrency_ = 1;
  bool parallel_ = false;
  bool calibrate_ = false;
  std::uint64_t timed_steps_ = 0;
  std::chrono::steady_clock::time_point calibration_start_;
  /// The per-half update, built once: parallel_for takes it by reference, so
  /// a step allocates nothing. Work items are contiguous chunks of the half;
  /// every walker uses only its own stream and buffers, so the chunking
  /// (which depends on the thread count) does not change the results.
  std::function<void(std::size_t)> body_;
};

orrery::SampleSet EnsembleSampler::run(orrery::Context& ctx) {
  std::vector<std::unique_ptr<EnsembleState>> states;
  states.push_back(std::make_unique<EnsembleState>(*this, ctx));
  const DriveResult driven = drive(ctx, "ensemble", "samplers.ensemble/2", states, length_);
  orrery::SampleSet set;
  states.front()->finish(set);
  for (orrery::Chain& chain : set.chains) target_.report(chain);
  append_run_statistics(set, driven, length_);
  return set;
}

}  // namespace orrery::samplers
