// Analysis: a loaded config turned into live components.
//
// Owns everything a run needs, in destruction-safe order: the plugin catalog
// (libraries) outlives the component instances created from it. Construction
// builds every component in dependency order (what `orrery validate` does);
// prepare() then runs each component's one-time expensive work.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <orrery/component.hpp>
#include <orrery/context.hpp>
#include <orrery/sample_sets.hpp>

#include "checkpoints.hpp"
#include "config.hpp"
#include "graph.hpp"
#include "plugin_catalog.hpp"
#include "services.hpp"

namespace orrery::kernel {

struct AnalysisSettings {
  std::vector<std::string> overrides;  ///< "--set a.b=c"
  std::size_t threads = 0;             ///< 0: hardware concurrency
  bool no_cache = false;
};

class ComponentContext;

inline constexpr std::size_t kNoObservationNode = static_cast<std::size_t>(-1);

/// [observation] simulate_at = "truth" | "fiducial", simulator = "@sim": the
/// observation is simulated once, right after the simulator is constructed.
struct ObservationSimulation {
  std::string at;         ///< "truth" or "fiducial"; empty when not simulated
  std::string simulator;  ///< component name
  SourceLocation where;
  std::size_t node = kNoObservationNode;
};

/// The draws of the samplers that ran, for tasks that consume them
/// (the orrery.sample_sets/1 extension).
class RunSampleSets final : public SampleSets {
 public:
  [[nodiscard]] const SampleSet* of(const Component& sampler) const override {
    const auto found = sets_.find(&sampler);
    return found == sets_.end() ? nullptr : &found->second;
  }
  void record(const Component& sampler, SampleSet samples) { sets_[&sampler] = std::move(samples); }

 private:
  std::map<const Component*, SampleSet> sets_;
};

class Analysis {
 public:
  /// Loads the config and plugins, builds and checks the graph. Constructs nothing.
  Analysis(const std::filesystem::path& config_file, const AnalysisSettings& settings);
  ~Analysis();
  Analysis(const Analysis&) = delete;
  Analysis& operator=(const Analysis&) = delete;

  /// Constructs every component in dependency order (cheap; no simulation or training).
  void construct();
  /// Calls prepare() in dependency order on the given runnables and everything
  /// they reference (directly or not); records wall times.
  void prepare(const std::vector<std::size_t>& runnables);

  /// Where components write run outputs (the staging folder during a run).
  void set_output_dir(std::filesystem::path dir) { output_dir_ = std::move(dir); }
  /// The run's checkpoints, offered to components as the
  /// orrery.checkpoint/1 extension (none outside a run). Must outlive the run.
  void set_checkpoints(RunCheckpoints* checkpoints) { checkpoints_ = checkpoints; }

  [[nodiscard]] const AnalysisConfig& config() const { return config_; }
  [[nodiscard]] const PluginCatalog& catalog() const { return *catalog_; }
  [[nodiscard]] const Graph& graph() const { return graph_; }
  [[nodiscard]] const ParameterSpace& parameters() const { return full_space_; }
  [[nodiscard]] Component& instance(std::size_t node) const;
  [[nodiscard]] Context& context(std::size_t node) const;
  [[nodiscard]] const std::string& cache_key(std::size_t node) const { return cache_keys_[node]; }
  [[nodiscard]] std::uint64_t stream_seed(std::size_t node) const;
  [[nodiscard]] Executor& executor() { return executor_; }
  [[nodiscard]] const std::vector<std::pair<std::string, double>>& prepare_times() const { return prepare_times_; }

  /// The observation when [observation] simulates it (after construction), else nullptr.
  [[nodiscard]] const Array* simulated_observation() const {
    return observation_simulation_.node != kNoObservationNode && observation_ ? &*observation_ : nullptr;
  }
  /// Keeps a sampler's draws for the tasks that reference it (call before running them).
  void record_samples(std::size_t node, SampleSet samples) { sample_sets_.record(instance(node), std::move(samples)); }

  /// Runnables to execute: [analysis] run / --only if given, else all terminal
  /// ones; plus, before each selected task, the samplers it references (whose
  /// draws it consumes), in dependency order.
  [[nodiscard]] std::vector<std::size_t> selected_runnables(const std::vector<std::string>& only) const;

  /// Adds "component 'x' (lib.comp)" to an exception escaping plugin code.
  [[noreturn]] void rethrow_with_component(std::size_t node, const std::string& phase) const;

 private:
  friend class ComponentContext;
  std::unique_ptr<Component> create(std::size_t node);
  void simulate_observation(std::size_t node);
  void compute_cache_keys();

  AnalysisSettings settings_;
  AnalysisConfig config_;
  std::unique_ptr<PluginCatalog> catalog_;  // declared before instances_: destroyed after them
  Graph graph_;
  ParameterSpace full_space_;
  std::optional<Array> observation_;
  ObservationSimulation observation_simulation_;
  ThreadExecutor executor_;
  std::filesystem::path output_dir_;
  RunCheckpoints* checkpoints_ = nullptr;
  RunSampleSets sample_sets_;
  std::vector<std::string> cache_keys_;
  std::vector<std::unique_ptr<ComponentContext>> contexts_;
  std::vector<std::shared_ptr<Component>> instances_;
  std::vector<std::pair<std::string, double>> prepare_times_;
};

}  // namespace orrery::kernel
