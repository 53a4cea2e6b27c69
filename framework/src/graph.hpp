// The analysis graph: one node per component instance, edges for references.
//
// Nodes come from [components.<name>] tables, from inline sub-components
// (`estimator = { plugin = "nde.maf", ... }` becomes node "nle.estimator"),
// from parameter priors (`x = { prior = "uniform", ... }` becomes node
// "parameters.x"), from the built-in "posterior" Target, which depends on
// every parameter prior and every top-level likelihood, and from the built-in
// "prior" Target (the priors alone: what simulation-based inference draws
// parameters from; it cannot depend on likelihoods that train on its draws). References are checked
// by kind; cycles are reported with their path; `order` lists nodes so that
// every node comes after everything it references.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <orrery/kind.hpp>
#include <orrery/value.hpp>

#include "parameters.hpp"
#include "plugin_catalog.hpp"

namespace orrery::kernel {

inline constexpr const char* kPosteriorName = "posterior";
inline constexpr const char* kPriorName = "prior";

struct Edge {
  std::string key;         ///< option key ("" for built-in dependencies of the posterior)
  std::size_t index = 0;   ///< entry within a ReferenceList
  std::size_t target = 0;  ///< node index
};

struct Node {
  enum class Origin { Component, Inline, ParameterPrior, Posterior, Prior };
  std::string name;
  Origin origin = Origin::Component;
  Kind kind = Kind::Task;
  std::optional<ComponentEntry> entry;  ///< absent for the built-in posterior and prior
  Value options{ValueTable{}};          ///< validated, defaults filled
  SourceLocation where;
  std::vector<Edge> edges;
  std::optional<std::size_t> parameter;  ///< for ParameterPrior nodes and "@" field priors: the ParameterDecl index

  [[nodiscard]] std::string plugin_name() const {
    if (entry) return entry->qualified_name();
    return origin == Origin::Prior ? "built-in prior" : "built-in posterior";
  }
};

struct Graph {
  std::vector<Node> nodes;
  std::vector<std::size_t> order;  ///< dependency order
  std::vector<ParameterDecl> parameters;
  std::vector<std::pair<std::size_t, std::size_t>> field_priors;  ///< (parameter index, prior node) for "@" priors

  [[nodiscard]] std::optional<std::size_t> find(std::string_view name) const;
  /// Runnable nodes nobody references (what `orrery run` executes by default).
  [[nodiscard]] std::vector<std::size_t> terminal_runnables() const;
  /// Graphviz rendering.
  [[nodiscard]] std::string to_dot(const std::string& title) const;
  /// Plain-text plan: one line per node in dependency order; `runs` marks
  /// the runnables that would execute.
  [[nodiscard]] std::string plan(const std::vector<std::size_t>& runs) const;
};

struct AnalysisConfig;

/// Builds and checks the graph. Throws ConfigError naming file:line for every
/// problem: unknown plugin, bad options, unknown or mistyped reference, cycle.
Graph build_graph(const AnalysisConfig& config, const PluginCatalog& catalog);

}  // namespace orrery::kernel
