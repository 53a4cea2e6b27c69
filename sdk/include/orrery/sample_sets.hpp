// SampleSets: the draws of samplers that already ran in this `orrery run`,
// for tasks that consume them (C2ST against reference draws, coverage checks).
//
// A Task that declares a reference option of kind Sampler (e.g.
// `samples = "@npe"`) makes the kernel run that sampler first, even though it
// is referenced; the task then finds its draws here:
//
//   const SampleSets* sets = sample_sets(ctx);           // nullptr outside `orrery run`
//   const SampleSet* draws = sets ? sets->of(ctx.ref<Sampler>("samples")) : nullptr;
//
// of() returns nullptr for a sampler that has not run (yet). The SampleSet
// stays valid until the run ends. Thread-safe for readers.
#pragma once

#include <string_view>

#include "orrery/context.hpp"
#include "orrery/sample_set.hpp"
#include "orrery/version.hpp"

namespace orrery {

class Component;

inline constexpr std::string_view kSampleSetsExtension = "orrery.sample_sets/1";

class ORRERY_API SampleSets {
 public:
  virtual ~SampleSets() = default;
  /// The draws `sampler` returned in this run, or nullptr if it has not run.
  [[nodiscard]] virtual const SampleSet* of(const Component& sampler) const = 0;
};

/// The kernel's record of finished samplers, or nullptr if there is none.
inline const SampleSets* sample_sets(Context& ctx) {
  return static_cast<const SampleSets*>(ctx.extension(kSampleSetsExtension));
}

}  // namespace orrery
