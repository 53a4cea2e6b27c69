// Sampler: draws from a Target. Runnable: `orrery run` executes it.
//
// A sampler takes its target by reference option (`target = "@posterior"`),
// its sizes (chains, steps, warm-up) from its options, and its randomness from
// ctx.rng(): chain i should use ctx.rng().split(i), and chains should run
// through ctx.executor() so results do not depend on the thread count.
#pragma once

#include "orrery/component.hpp"
#include "orrery/sample_set.hpp"
#include "orrery/target.hpp"

namespace orrery {

class Context;

class ORRERY_API Sampler : public Component {
 public:
  static constexpr Kind kKind = Kind::Sampler;
  [[nodiscard]] Kind kind() const final { return kKind; }

  /// Runs the sampler to completion and returns the retained draws.
  virtual SampleSet run(Context& ctx) = 0;

  /// The Target being sampled (for labelling and summarising the chains).
  [[nodiscard]] virtual const Target& target() const = 0;
};

}  // namespace orrery
