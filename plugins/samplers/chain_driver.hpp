// The loop every sampler in this library shares: warm-up, then sampling, in
// blocks of iterations, with checkpoints between blocks and an optional stop
// once the chains have converged.
//
// A sampler describes one unit of work (one chain, or a whole ensemble) as a
// State, held by unique_ptr as states keep references into themselves, with
//   void start();                    // initial point, step-size heuristics
//   void iterate();                  // one transition (the state counts them)
//   template <class IO> void visit(IO& io);   // every field its future depends on
//   void collect(std::vector<const DrawStore*>& out) const;  // its chains' draws
// and drive() runs all states in lockstep blocks through ctx.executor() (one
// state runs on the calling thread, so it may use the executor itself).
// Because a State's whole future is in what visit() saves, a run resumed from
// any checkpoint continues exactly as the uninterrupted run would have; block
// boundaries are fixed by the options, so the convergence decisions are the
// same too. Results never depend on the thread count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <orrery/checkpoint.hpp>
#include <orrery/context.hpp>
#include <orrery/options.hpp>
#include <orrery/sample_set.hpp>
#include <orrery/schema.hpp>

#include "draw_store.hpp"

namespace orrery::samplers {

/// How long chains run: `steps` draws after `warmup`, or (until_converged)
/// until every parameter has rank-normalised R-hat below target_rhat and bulk
/// and tail ESS of at least target_ess, checked every check_every draws, with
/// `steps` as the ceiling.
struct RunLength {
  std::uint64_t warmup = 0;
  std::uint64_t steps = 1;
  bool until_converged = false;
  double target_rhat = 1.01;
  double target_ess = 400.0;
  std::uint64_t check_every = 100;

  /// The convergence options every sampler shares (steps and warm-up are
  /// declared by each sampler, with its own defaults).
  static orrery::Schema options();
  /// Reads steps, warmup and the convergence options; errors name the key.
  static RunLength read(const orrery::Options& options);
};

/// Whether the draws of `chains` (all the same length) meet `length`'s
/// convergence targets for every parameter.
bool converged(const std::vector<const DrawStore*>& chains, const RunLength& length);

/// What drive() did, for the sampler's statistics.
struct DriveResult {
  std::uint64_t iterations = 0;  ///< per state, warm-up included
  std::uint64_t draws = 0;       ///< retained draws per chain (after thinning)
  bool converged = false;        ///< until_converged and the targets were met
  bool resumed = false;          ///< continued from a checkpoint
};

/// Adds what the run length decided to a sampler's statistics: with
/// until_converged, "converged" (1 or 0) and "draws_per_chain".
void append_run_statistics(orrery::SampleSet& set, const DriveResult& driven, const RunLength& length);

namespace detail {
template <typename State>
void save_checkpoint(orrery::CheckpointStore& store, std::string_view format, std::uint64_t done, bool finished,
                     bool converged, std::vector<std::unique_ptr<State>>& states) {
  orrery::StateWriter writer(format);
  writer(static_cast<std::uint64_t>(states.size()));
  writer(done);
  writer(finished);
  writer(converged);
  for (auto& s : states) s->visit(writer);
  store.save(writer.bytes());
}

template <typename State, typename Body>
void for_each_state(orrery::Context& ctx, std::vector<std::unique_ptr<State>>& states, Body&& body) {
  if (states.size() == 1)
    body(std::size_t{0});
  else
    ctx.executor().parallel_for(states.size(), body);
}
}  // namespace detail

/// Runs `states` to the end of `length`. `format` names the State encoding
/// (e.g. "samplers.nuts/2"); a checkpoint of another format, or of a
/// different number of states, is refused with an Error.
template <typename State>
DriveResult drive(orrery::Context& ctx, std::string_view label, std::string_view format,
                  std::vector<std::unique_ptr<State>>& states, const RunLength& length) {
  DriveResult result;
  orrery::CheckpointStore* store = orrery::checkpoint_store(ctx);
  const std::uint64_t total = length.warmup + length.steps;
  std::uint64_t done = 0;
  bool finished = false;
  if (store)
    if (const std::optional<std::string> bytes = store->saved_state()) {
      orrery::StateReader reader(*bytes, format);
      std::uint64_t count = 0;
      reader(count);
      if (count != states.size())
        throw orrery::Error("the checkpoint holds " + std::to_string(count) + " chains, this run has " +
                            std::to_string(states.size()));
      reader(done);
      reader(finished);
      reader(result.converged);
      for (auto& s : states) s->visit(reader);
      reader.finish();
      result.resumed = true;
    }
  if (!result.resumed) detail::for_each_state(ctx, states, [&](std::size_t i) { states[i]->start(); });

  const std::unique_ptr<orrery::Progress> progress = ctx.progress(label, states.size() * total);
  progress->advance(states.size() * done);
  const std::uint64_t block = std::max<std::uint64_t>(1, length.check_every);
  while (!finished && done < total) {
    const std::uint64_t end = done < length.warmup ? std::min(length.warmup, done + block) : std::min(total, done + block);
    const std::uint64_t count = end - done;
    detail::for_each_state(ctx, states, [&](std::size_t i) {
      for (std::uint64_t it = 0; it < count; ++it) states[i]->iterate();
      progress->advance(count);
    });
    done = end;
    if (length.until_converged && done > length.warmup) {
      std::vector<const DrawStore*> chains;
      for (const auto& s : states) s->collect(chains);
      result.converged = converged(chains, length);
    }
    finished = done == total || result.converged;
    if (store && (finished || store->due())) detail::save_checkpoint(*store, format, done, finished, result.converged, states);
  }
  result.iterations = done;
  std::vector<const DrawStore*> chains;
  for (const auto& s : states) s->collect(chains);
  if (!chains.empty()) result.draws = static_cast<std::uint64_t>(chains.front()->rows());
  return result;
}

}  // namespace orrery::samplers
