#include "analysis.hpp"

#include <boost/dll/shared_library.hpp>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include "data_files.hpp"
#include "posterior.hpp"
#include <orrery/simulator.hpp>
#include <orrery/suggest.hpp>
#include "toml_values.hpp"

#ifndef ORRERY_VERSION
#define ORRERY_VERSION "0.0.0"
#endif

namespace orrery::kernel {
namespace fs = std::filesystem;

/// The Context the kernel gives one component instance.
class ComponentContext final : public Context {
 public:
  ComponentContext(Analysis& analysis, std::size_t node)
      : analysis_(analysis),
        node_(node),
        name_(analysis.graph_.nodes[node].name),
        plugin_(analysis.graph_.nodes[node].plugin_name()),
        options_(analysis.graph_.nodes[node].options, name_),
        rng_(RandomStream(analysis.config_.seed).split(name_)),
        logger_(name_),
        cache_(analysis.config_.cache, analysis.cache_keys_[node], analysis.settings_.no_cache) {}

  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] const std::string& plugin() const override { return plugin_; }
  [[nodiscard]] const Options& options() const override { return options_; }
  [[nodiscard]] const ParameterSpace& parameters() const override { return analysis_.full_space_; }

  Component& reference(std::string_view key, std::size_t index) override {
    for (const Edge& e : analysis_.graph_.nodes[node_].edges)
      if (e.key == key && e.index == index) return analysis_.instance(e.target);
    if (reference_count(key) > 0)
      throw ConfigError(options_.location(key), "component '" + name_ + "', option '" + std::string(key) +
                                                    "': no entry " + std::to_string(index));
    throw ConfigError(options_.location(key),
                      "component '" + name_ + "': option '" + std::string(key) + "' is not a reference option");
  }

  [[nodiscard]] std::size_t reference_count(std::string_view key) const override {
    std::size_t n = 0;
    for (const Edge& e : analysis_.graph_.nodes[node_].edges)
      if (e.key == key) ++n;
    return n;
  }

  RandomStream& rng() override { return rng_; }
  Logger& logger() override { return logger_; }
  std::unique_ptr<Progress> progress(std::string_view label, std::uint64_t total) override {
    return make_progress(name_ + ": " + std::string(label), total);
  }
  Executor& executor() override { return analysis_.executor_; }
  ArtifactCache& cache() override { return cache_; }
  [[nodiscard]] fs::path output_dir() const override {
    if (analysis_.output_dir_.empty())
      throw Error("component '" + name_ + "' asked for the output folder outside a run (e.g. in its constructor)");
    return analysis_.output_dir_;
  }
  [[nodiscard]] const Array* observation() const override {
    if (!analysis_.observation_ && analysis_.observation_simulation_.node != kNoObservationNode)
      throw Error("component '" + name_ + "' needs the observation, which is simulated by '" +
                  analysis_.observation_simulation_.simulator +
                  "', not built yet: reference that simulator from '" + name_ + "' so it is built first");
    return analysis_.observation_ ? &*analysis_.observation_ : nullptr;
  }
  void* extension(std::string_view name) override {
    if (name == kCheckpointExtension && analysis_.checkpoints_) return &analysis_.checkpoints_->store(name_);
    if (name == kSampleSetsExtension) return static_cast<SampleSets*>(&analysis_.sample_sets_);
    return nullptr;
  }

 private:
  Analysis& analysis_;
  std::size_t node_;
  std::string name_;
  std::string plugin_;
  Options options_;
  RandomStream rng_;
  ComponentLogger logger_;
  DirectoryCache cache_;
};

namespace {

/// Keeps the plugin library loaded for as long as any object made from it lives.
std::shared_ptr<Component> hold_library(std::unique_ptr<Component> c, std::shared_ptr<const LoadedLibrary> lib) {
  return std::shared_ptr<Component>(c.release(), [lib](Component* p) { delete p; });
}

std::string hex(std::uint64_t x) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(x));
  return buf;
}

/// A hash of a file's bytes (or of every file under a folder), so editing a
/// data file invalidates the artifacts computed from it.
std::string file_fingerprint(const fs::path& path) {
  std::uint64_t h = RandomStream::hash(path.filename().string());
  auto add_file = [&h](const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<char> buffer(1 << 16);
    while (in) {
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      for (std::streamsize k = 0; k < in.gcount(); ++k) {
        h ^= static_cast<unsigned char>(buffer[static_cast<std::size_t>(k)]);
        h *= 0x100000001b3ULL;
      }
    }
  };
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(path, ec))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      h ^= RandomStream::hash(fs::relative(f, path).string());
      add_file(f);
    }
  } else {
    add_file(path);
  }
  return hex(h);
}

void read_observation(const AnalysisConfig& config, std::optional<Array>& out, ObservationSimulation& simulated) {
  const Value& obs = config.section("observation");
  const std::vector<std::string> known = {"file", "simulate_at", "simulator"};
  for (const auto& [key, v] : obs.as_table())
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw ConfigError(v.where(), "unknown key '" + key + "' in [observation]" + did_you_mean(key, known) +
                                       " (known keys: file, or simulate_at with simulator)");
  const Value* f = obs.find("file");
  const Value* at = obs.find("simulate_at");
  const Value* sim = obs.find("simulator");
  if (f && (at || sim))
    throw ConfigError(f->where(), "[observation]: give either file or simulate_at (with simulator), not both");
  if (f) {
    if (!f->is_string()) throw ConfigError(f->where(), "[observation] file: expected a file name");
    fs::path p = f->as_string();
    if (p.is_relative()) p = fs::absolute(config.file).parent_path() / p;
    out = read_array(p);
    return;
  }
  if (!at && !sim) return;
  if (!at || !sim)
    throw ConfigError((at ? at : sim)->where(),
                      "[observation]: simulate_at and simulator go together (simulate_at = \"truth\", simulator = \"@sim\")");
  if (!at->is_string() || (at->as_string() != "truth" && at->as_string() != "fiducial"))
    throw ConfigError(at->where(), "[observation] simulate_at: expected \"truth\" or \"fiducial\" (the parameter "
                                   "values to simulate at, given as truth = ... or fiducial = ... in [parameters])");
  if (!sim->is_string() || !sim->as_string().starts_with("@"))
    throw ConfigError(sim->where(), "[observation] simulator: expected a reference such as \"@sim\"");
  simulated.at = at->as_string();
  simulated.simulator = sim->as_string().substr(1);
  simulated.where = sim->where();
}

}  // namespace

Analysis::Analysis(const fs::path& config_file, const AnalysisSettings& settings)
    : settings_(settings),
      config_(load_config(config_file, settings.overrides)),
      executor_(settings.threads ? settings.threads : std::max(1u, std::thread::hardware_concurrency())) {
  std::vector<fs::path> folders = config_.plugin_paths;
  for (auto& p : PluginCatalog::default_search_path()) folders.push_back(std::move(p));
  catalog_ = std::make_unique<PluginCatalog>(folders);
  for (const auto& note : catalog_->notes()) kernel_logger()->debug(note);
  graph_ = build_graph(config_, *catalog_);
  full_space_ = full_space(graph_.parameters);
  read_observation(config_, observation_, observation_simulation_);
  if (!observation_simulation_.simulator.empty()) {
    const auto found = graph_.find(observation_simulation_.simulator);
    if (!found || graph_.nodes[*found].kind != Kind::Simulator)
      throw ConfigError(observation_simulation_.where,
                        "[observation] simulator: '@" + observation_simulation_.simulator + "' is not a simulator of "
                        "this analysis" + (found ? " (it is a " + std::string(kind_name(graph_.nodes[*found].kind)) + ")" : ""));
    observation_simulation_.node = *found;
  }
  compute_cache_keys();
}

Analysis::~Analysis() {
  // Components first (in reverse dependency order), then their contexts.
  for (auto it = graph_.order.rbegin(); it != graph_.order.rend(); ++it)
    if (*it < instances_.size()) instances_[*it].reset();
  contexts_.clear();
}

void Analysis::compute_cache_keys() {
  // Everything upstream of a node goes into its key: the kernel and plugin
  // versions, its options and the contents of files they name, its random
  // stream, the parameters (labels aside), and its references' keys.
  Value parameter_section = config_.section("parameters");
  for (auto& [name, p] : parameter_section.as_table())
    if (p.is_table()) std::erase_if(p.as_table(), [](const auto& kv) { return kv.first == "latex"; });
  const std::string parameters = canonical_string(parameter_section);
  cache_keys_.assign(graph_.nodes.size(), {});
  for (std::size_t i : graph_.order) {
    const Node& n = graph_.nodes[i];
    std::string material = std::string("orrery ") + ORRERY_VERSION + " abi " + std::to_string(kAbiVersion) + "|" +
                           n.plugin_name() + "|" + (n.entry ? n.entry->library->manifest->version : "") + "|" +
                           canonical_string(n.options) + "|" + std::to_string(stream_seed(i)) + "|" + parameters;
    if (n.entry)
      for (const OptionSpec& spec : n.entry->info->schema)
        if (const Value* v = n.options.find(spec.key); v && spec.type == OptionType::File)
          material += "|" + spec.key + ":" + file_fingerprint(v->as_string());
    for (const Edge& e : n.edges) material += "|" + e.key + "#" + std::to_string(e.index) + "=" + cache_keys_[e.target];
    // Two independent 64-bit FNV-1a hashes: 128 bits, collisions negligible.
    cache_keys_[i] = hex(RandomStream::hash(material)) + hex(RandomStream::hash("orrery-cache/" + material));
  }
}

std::uint64_t Analysis::stream_seed(std::size_t node) const {
  return RandomStream(config_.seed).split(graph_.nodes[node].name).next();
}

Component& Analysis::instance(std::size_t node) const {
  if (node >= instances_.size() || !instances_[node])
    throw Error("internal: component '" + graph_.nodes[node].name + "' used before it was built");
  return *instances_[node];
}

Context& Analysis::context(std::size_t node) const { return *contexts_.at(node); }

void Analysis::rethrow_with_component(std::size_t node, const std::string& phase) const {
  const Node& n = graph_.nodes[node];
  const std::string who = "component '" + n.name + "' (" + n.plugin_name() + ")";
  try {
    throw;
  } catch (const ConfigError& e) {
    // Always throw a fresh exception made here: the caught object may have been
    // created inside the plugin, and must not outlive the plugin's library.
    std::string what = e.what();
    const std::string prefix = e.where().str() + ": ";
    if (e.where().known() && what.starts_with(prefix)) what.erase(0, prefix.size());
    if (what.find("'" + n.name + "'") == std::string::npos) what = who + ": " + what;
    throw ConfigError(e.where().known() ? e.where() : n.where, what);
  } catch (const std::exception& e) {
    throw Error(who + " failed " + phase + ": " + e.what());
  } catch (...) {
    throw Error(who + " failed " + phase + " with an unknown exception");
  }
}

std::unique_ptr<Component> Analysis::create(std::size_t node) {
  const Node& n = graph_.nodes[node];
  if (n.origin == Node::Origin::Posterior || n.origin == Node::Origin::Prior) {
    // "@prior" is "@posterior" without likelihoods (graph.cpp gives it no likelihood edges).
    for (const ParameterDecl& d : graph_.parameters)
      if (!d.fixed && !d.has_prior())
        throw ConfigError(d.where, "parameter '" + d.name + "' is free but has no prior, so '@" + n.name +
                                       "' is improper: give it a prior "
                                       "(prior = \"uniform\", min = ..., max = ...) or fix it (value = ...)");
    std::vector<Posterior::PriorTerm> priors;
    std::vector<const Likelihood*> likelihoods;
    for (const Edge& e : n.edges) {
      const Node& dep = graph_.nodes[e.target];
      if (dep.kind == Kind::Likelihood) likelihoods.push_back(&static_cast<const Likelihood&>(instance(e.target)));
    }
    // Elementwise priors with the same plugin and options form one group, so
    // many identical scalar priors cost one call (see Posterior::PriorTerm).
    std::map<std::string, std::size_t> groups;
    for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
      const Node& prior_node = graph_.nodes[i];
      if (prior_node.origin != Node::Origin::ParameterPrior) continue;
      const auto& prior = static_cast<const Prior&>(instance(i));
      const std::string signature = prior.dimension() == 0
                                        ? prior_node.plugin_name() + canonical_string(prior_node.options)
                                        : "#" + std::to_string(i);
      const std::size_t group = groups.emplace(signature, groups.size()).first->second;
      priors.push_back({&prior, &full_space_.block(graph_.parameters[*prior_node.parameter].name), group});
    }
    for (const auto& [param, prior_node] : graph_.field_priors)
      priors.push_back({&static_cast<const Prior&>(instance(prior_node)), &full_space_.block(graph_.parameters[param].name),
                        groups.emplace("#" + std::to_string(prior_node) + "/" + std::to_string(param), groups.size()).first->second});
    std::string improper;
    for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
      const Node& prior_node = graph_.nodes[i];
      if (prior_node.origin != Node::Origin::ParameterPrior || instance(i).extension(kImproperPriorExtension) == nullptr)
        continue;
      improper += (improper.empty() ? "" : ", ") + graph_.parameters[*prior_node.parameter].name;
    }
    for (const auto& [param, prior_node] : graph_.field_priors)
      if (instance(prior_node).extension(kImproperPriorExtension) != nullptr)
        improper += (improper.empty() ? "" : ", ") + graph_.parameters[param].name;
    auto posterior = std::make_unique<Posterior>(full_space_, std::move(priors), std::move(likelihoods));
    posterior->set_improper_parameters(std::move(improper));
    return posterior;
  }
  std::unique_ptr<Component> c = n.entry->info->factory(*contexts_[node]);
  if (!c || c->kind() != n.kind)
    throw Error("plugin " + n.plugin_name() + " returned " + (c ? "a " + std::string(kind_name(c->kind())) : "nothing") +
                " but its manifest says " + std::string(kind_name(n.kind)));
  return c;
}

void Analysis::construct() {
  contexts_.resize(graph_.nodes.size());
  instances_.resize(graph_.nodes.size());
  for (std::size_t i : graph_.order) {
    contexts_[i] = std::make_unique<ComponentContext>(*this, i);
    try {
      std::unique_ptr<Component> c = create(i);
      const Node& n = graph_.nodes[i];
      instances_[i] = n.entry ? hold_library(std::move(c), n.entry->library) : std::shared_ptr<Component>(std::move(c));
    } catch (...) {
      rethrow_with_component(i, "while being created");
    }
    if (observation_simulation_.node == i) simulate_observation(i);
    // A parameter's prior fixes its support; check its size against the block.
    const Node& n = graph_.nodes[i];
    std::vector<std::size_t> params;
    if (n.parameter) params.push_back(*n.parameter);
    for (const auto& [param, prior_node] : graph_.field_priors)
      if (prior_node == i) params.push_back(param);
    for (std::size_t p : params) {
      const auto& prior = static_cast<const Prior&>(*instances_[i]);
      const ParameterDecl& d = graph_.parameters[p];
      const std::size_t size = shape_size(d.shape);
      if (prior.dimension() != 0 && prior.dimension() != size)
        throw ConfigError(d.prior_where, "parameter '" + d.name + "' has " + std::to_string(size) + " elements, but its prior '" +
                                             n.name + "' is defined for " + std::to_string(prior.dimension()));
      full_space_.set_bounds(d.name, prior.lower(), prior.upper());
    }
  }
}

void Analysis::simulate_observation(std::size_t node) {
  const ObservationSimulation& how = observation_simulation_;
  Eigen::VectorXd theta(static_cast<Eigen::Index>(full_space_.dimension()));
  for (const ParameterBlock& b : full_space_.blocks()) {
    const Eigen::VectorXd& values = b.fixed ? b.fiducial : (how.at == "truth" ? b.truth : b.fiducial);
    if (values.size() != static_cast<Eigen::Index>(b.size()))
      throw ConfigError(how.where, "[observation] simulate_at = \"" + how.at + "\": parameter '" + b.name +
                                       "' has no " + how.at + " value (add " + how.at + " = ... to it in [parameters])");
    theta.segment(static_cast<Eigen::Index>(b.offset), values.size()) = values;
  }
  const auto& simulator = static_cast<const Simulator&>(instance(node));
  Eigen::VectorXd data(static_cast<Eigen::Index>(simulator.output_size()));
  // Its own stream: the observation does not change when components are added.
  RandomStream rng = RandomStream(config_.seed).split("observation");
  try {
    simulator.simulate(theta, rng, data);
  } catch (...) {
    rethrow_with_component(node, "while simulating the observation");
  }
  if (!data.allFinite())
    throw Error("component '" + graph_.nodes[node].name + "' returned non-finite values when simulating the observation");
  observation_ = Array(simulator.output_shape(), std::move(data));
}

void Analysis::prepare(const std::vector<std::size_t>& runnables) {
  std::vector<bool> needed(graph_.nodes.size(), false);
  std::vector<std::size_t> stack(runnables.begin(), runnables.end());
  while (!stack.empty()) {
    const std::size_t i = stack.back();
    stack.pop_back();
    if (needed[i]) continue;
    needed[i] = true;
    for (const Edge& e : graph_.nodes[i].edges) stack.push_back(e.target);
  }
  for (std::size_t i : graph_.order) {
    if (!needed[i]) continue;
    const auto start = std::chrono::steady_clock::now();
    try {
      instances_[i]->prepare(*contexts_[i]);
    } catch (...) {
      rethrow_with_component(i, "while preparing");
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds > 1e-3) prepare_times_.emplace_back(graph_.nodes[i].name, seconds);
  }
}

std::vector<std::size_t> Analysis::selected_runnables(const std::vector<std::string>& only) const {
  const std::vector<std::string>& names = only.empty() ? config_.run : only;
  std::vector<std::size_t> chosen;
  if (names.empty()) {
    chosen = graph_.terminal_runnables();
  } else {
    std::vector<std::string> runnable_names;
    for (const auto& n : graph_.nodes)
      if (is_runnable(n.kind)) runnable_names.push_back(n.name);
    for (const auto& name : names) {
      const auto found = graph_.find(name);
      if (!found || !is_runnable(graph_.nodes[*found].kind))
        throw ConfigError(SourceLocation{config_.file.string()},
                          "'" + name + "' is not a sampler or task of this analysis" + did_you_mean(name, runnable_names));
      chosen.push_back(*found);
    }
  }
  // A task that references a sampler consumes its draws (orrery.sample_sets/1):
  // the sampler runs first. Samplers referenced by such samplers' own tasks
  // follow transitively; the run order is the dependency order.
  std::vector<bool> selected(graph_.nodes.size(), false);
  std::vector<std::size_t> stack = chosen;
  while (!stack.empty()) {
    const std::size_t i = stack.back();
    stack.pop_back();
    if (selected[i]) continue;
    selected[i] = true;
    if (graph_.nodes[i].kind != Kind::Task) continue;
    for (const Edge& e : graph_.nodes[i].edges)
      if (graph_.nodes[e.target].kind == Kind::Sampler) stack.push_back(e.target);
  }
  std::vector<std::size_t> out;
  if (names.empty()) {
    for (std::size_t i : graph_.order)
      if (selected[i]) out.push_back(i);
  } else {
    // Explicit order kept, with each task's samplers placed before their first consumer.
    std::vector<bool> placed(graph_.nodes.size(), false);
    for (std::size_t i : chosen) {
      for (std::size_t j : graph_.order)
        if (selected[j] && !placed[j] && graph_.nodes[j].kind == Kind::Sampler && j != i) {
          bool consumed = false;
          for (const Edge& e : graph_.nodes[i].edges) consumed = consumed || e.target == j;
          if (consumed) {
            out.push_back(j);
            placed[j] = true;
          }
        }
      if (!placed[i]) {
        out.push_back(i);
        placed[i] = true;
      }
    }
  }
  return out;
}

}  // namespace orrery::kernel
