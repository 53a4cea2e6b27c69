// Context: what the kernel gives one component instance.
//
// The kernel creates one Context per component; it outlives the component.
// Everything a component needs from the outside comes through here: its
// options, the analysis's parameters, the components it references, its own
// random stream, logging, progress, parallel execution, the artifact cache
// and the run's output folder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "orrery/array.hpp"
#include "orrery/component.hpp"
#include "orrery/error.hpp"
#include "orrery/options.hpp"
#include "orrery/parameter_space.hpp"
#include "orrery/random.hpp"
#include "orrery/services.hpp"

namespace orrery {

class ORRERY_API Context {
 public:
  virtual ~Context() = default;

  /// Instance name from the config: "like", or "nle.estimator" for an inline
  /// sub-component.
  [[nodiscard]] virtual const std::string& name() const = 0;
  /// "library.component" this instance was created from.
  [[nodiscard]] virtual const std::string& plugin() const = 0;
  /// The validated options, defaults filled in.
  [[nodiscard]] virtual const Options& options() const = 0;
  /// Every parameter of the analysis, fixed ones included (see parameter_space.hpp).
  [[nodiscard]] virtual const ParameterSpace& parameters() const = 0;

  /// The component behind reference option `key` ("@name" or an inline
  /// table); `index` selects an entry of a ReferenceList. The kernel has
  /// already checked its kind against the schema and built and prepared it
  /// first. Throws ConfigError if `key` is not a reference option.
  virtual Component& reference(std::string_view key, std::size_t index = 0) = 0;
  /// Number of entries behind a ReferenceList option (1 for a Reference).
  [[nodiscard]] virtual std::size_t reference_count(std::string_view key) const = 0;

  /// This component's random stream, derived from the analysis seed and the
  /// component name. Not thread-safe: split it for parallel work.
  virtual RandomStream& rng() = 0;
  virtual Logger& logger() = 0;
  /// A progress reporter for `total` units of work labelled `label`.
  virtual std::unique_ptr<Progress> progress(std::string_view label, std::uint64_t total) = 0;
  virtual Executor& executor() = 0;
  virtual ArtifactCache& cache() = 0;
  /// The run's output folder. Files written here appear in runs/<name>/ only
  /// if the whole run succeeds; write them with a temporary name and rename.
  [[nodiscard]] virtual std::filesystem::path output_dir() const = 0;
  /// The analysis's observed data from `[observation]`, or nullptr if none.
  [[nodiscard]] virtual const Array* observation() const = 0;

  /// Kernel services added after SDK v1, looked up by name; nullptr if absent.
  virtual void* extension(std::string_view /*name*/) { return nullptr; }

  /// Typed reference: `ctx.ref<Likelihood>("likelihood")`.
  template <typename T>
  T& ref(std::string_view key, std::size_t index = 0) {
    Component& c = reference(key, index);
    if (c.kind() != T::kKind)
      throw ConfigError(options().location(key), "component '" + name() + "', option '" + std::string(key) +
                                                     "': expected a " + std::string(kind_name(T::kKind)) +
                                                     ", found a " + std::string(kind_name(c.kind())));
    return static_cast<T&>(c);
  }
  /// All entries of a ReferenceList option.
  template <typename T>
  std::vector<T*> refs(std::string_view key) {
    std::vector<T*> out;
    for (std::size_t i = 0; i < reference_count(key); ++i) out.push_back(&ref<T>(key, i));
    return out;
  }
};

}  // namespace orrery
