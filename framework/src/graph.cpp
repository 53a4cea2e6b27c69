#include "graph.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <sstream>

#include "config.hpp"
#include "schema_check.hpp"
#include <orrery/suggest.hpp>

namespace orrery::kernel {
namespace {

/// A reference written in an option, resolved once every node exists.
struct PendingReference {
  std::size_t from;
  std::string key;
  std::size_t index;
  std::string target;  ///< name after '@'
  Kind expected;
  SourceLocation where;
};

class GraphBuilder {
 public:
  GraphBuilder(const AnalysisConfig& config, const PluginCatalog& catalog) : config_(config), catalog_(catalog) {}

  Graph build() {
    graph_.parameters = read_parameters(config_.section("parameters"));
    for (const auto& [name, table] : config_.section("components").as_table()) {
      const Value* plugin = table.find(kPluginKey);
      if (!plugin)
        throw ConfigError(table.where(), "component '" + name + "' has no plugin key (add plugin = \"<library>.<component>\"; run 'orrery plugins' for the list)");
      if (!plugin->is_string()) throw ConfigError(plugin->where(), "component '" + name + "': plugin must be a string");
      add_component(name, Node::Origin::Component, plugin->as_string(), plugin->where(), table, std::nullopt);
    }
    add_parameter_priors();
    resolve_references();
    add_posterior_edges();
    order_nodes();
    return std::move(graph_);
  }

 private:
  std::size_t add_component(const std::string& name, Node::Origin origin, const std::string& plugin,
                            const SourceLocation& plugin_where, const Value& table, std::optional<std::size_t> parameter,
                            std::optional<Kind> required_kind = std::nullopt) {
    ComponentEntry entry = origin == Node::Origin::ParameterPrior
                               ? catalog_.find_by_short_name(plugin, Kind::Prior, plugin_where)
                               : catalog_.find(plugin, plugin_where);
    if (required_kind && entry.info->kind != *required_kind)
      throw ConfigError(plugin_where, "'" + name + "' must be a " + std::string(kind_name(*required_kind)) + ", but " +
                                          entry.qualified_name() + " is a " + std::string(kind_name(entry.info->kind)));
    const std::vector<std::string> extra = origin == Node::Origin::ParameterPrior ? std::vector<std::string>{}
                                                                                  : std::vector<std::string>{kPluginKey};
    Node node;
    node.name = name;
    node.origin = origin;
    node.kind = entry.info->kind;
    node.where = table.where();
    node.parameter = parameter;
    node.options = check_options(table, entry.info->schema, name, entry.qualified_name(),
                                 std::filesystem::absolute(config_.file).parent_path(), extra);
    node.entry = std::move(entry);
    const std::size_t id = graph_.nodes.size();
    graph_.nodes.push_back(std::move(node));

    // Reference options: "@name" waits for resolution; inline tables and bare
    // "library.component" strings become sub-components right away.
    for (const OptionSpec& spec : graph_.nodes[id].entry->info->schema) {
      if (spec.type != OptionType::Reference && spec.type != OptionType::ReferenceList) continue;
      const Value* found = graph_.nodes[id].options.find(spec.key);
      if (!found) continue;
      const Value v = *found;  // copied: adding sub-components below may move graph_.nodes
      if (spec.type == OptionType::Reference) {
        add_reference(id, spec, v, 0, name + "." + spec.key);
      } else {
        const ValueList& list = v.as_list();
        for (std::size_t i = 0; i < list.size(); ++i)
          add_reference(id, spec, list[i], i, name + "." + spec.key + "[" + std::to_string(i) + "]");
      }
    }
    return id;
  }

  void add_reference(std::size_t from, const OptionSpec& spec, const Value& v, std::size_t index,
                     const std::string& inline_name) {
    if (v.is_string() && v.as_string().front() == '@') {
      pending_.push_back({from, spec.key, index, v.as_string().substr(1), *spec.reference_kind, v.where()});
      return;
    }
    std::size_t child;
    if (v.is_string()) {
      child = add_component(inline_name, Node::Origin::Inline, v.as_string(), v.where(), Value(ValueTable{}, v.where()),
                            std::nullopt, spec.reference_kind);
    } else {
      const Value& plugin = *v.find(kPluginKey);
      child = add_component(inline_name, Node::Origin::Inline, plugin.as_string(), plugin.where(), v, std::nullopt,
                            spec.reference_kind);
    }
    graph_.nodes[from].edges.push_back({spec.key, index, child});
  }

  void add_parameter_priors() {
    for (std::size_t p = 0; p < graph_.parameters.size(); ++p) {
      const ParameterDecl& d = graph_.parameters[p];
      if (!d.has_prior()) continue;
      if (d.prior_is_reference()) {
        pending_.push_back({kNoNode, "prior", p, d.prior.substr(1), Kind::Prior, d.prior_where});
        continue;
      }
      add_component("parameters." + d.name, Node::Origin::ParameterPrior, d.prior, d.prior_where, d.prior_options, p);
    }
  }

  void resolve_references() {
    std::vector<std::string> names;
    for (const auto& n : graph_.nodes)
      if (n.origin == Node::Origin::Component) names.push_back(n.name);
    for (const auto& ref : pending_) {
      std::size_t target;
      if (ref.target == kPosteriorName) {
        target = posterior_node();
      } else if (ref.target == kPriorName) {
        target = prior_node();
      } else {
        const auto found = graph_.find(ref.target);
        if (!found || graph_.nodes[*found].origin != Node::Origin::Component) {
          auto candidates = names;
          candidates.push_back(kPosteriorName);
          candidates.push_back(kPriorName);
          const std::string who = ref.from == kNoNode ? "parameter '" + graph_.parameters[ref.index].name + "'"
                                                      : "component '" + graph_.nodes[ref.from].name + "'";
          throw ConfigError(ref.where, who + ", option '" + ref.key + "': no component named '" + ref.target + "'" +
                                           did_you_mean(ref.target, candidates));
        }
        target = *found;
      }
      const Node& t = graph_.nodes[target];
      if (t.kind != ref.expected) {
        const std::string who = ref.from == kNoNode ? "parameter '" + graph_.parameters[ref.index].name + "'"
                                                    : "component '" + graph_.nodes[ref.from].name + "'";
        throw ConfigError(ref.where, who + ", option '" + ref.key + "' expects a " +
                                         std::string(kind_name(ref.expected)) + ", but '@" + ref.target + "' is a " +
                                         std::string(kind_name(t.kind)) + " (" + t.plugin_name() + ")");
      }
      if (ref.from == kNoNode) {
        graph_.field_priors.emplace_back(ref.index, target);
      } else {
        graph_.nodes[ref.from].edges.push_back({ref.key, ref.index, target});
      }
    }
  }

  std::size_t posterior_node() { return built_in_node(posterior_, kPosteriorName, Node::Origin::Posterior); }
  std::size_t prior_node() { return built_in_node(prior_, kPriorName, Node::Origin::Prior); }

  // The node of a built-in target, created on first reference.
  std::size_t built_in_node(std::optional<std::size_t>& slot, const char* name, Node::Origin origin) {
    if (slot) return *slot;
    Node node;
    node.name = name;
    node.origin = origin;
    node.kind = Kind::Target;
    slot = graph_.nodes.size();
    graph_.nodes.push_back(std::move(node));
    return *slot;
  }

  void add_posterior_edges() {
    for (const std::optional<std::size_t>& built_in : {posterior_, prior_}) {
      if (!built_in) continue;
      const bool with_likelihoods = built_in == posterior_;
      Node& node = graph_.nodes[*built_in];
      for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
        const Node& n = graph_.nodes[i];
        if (n.origin == Node::Origin::ParameterPrior ||
            (with_likelihoods && n.origin == Node::Origin::Component && n.kind == Kind::Likelihood))
          node.edges.push_back({"", 0, i});
      }
      for (const auto& [param, prior] : graph_.field_priors) node.edges.push_back({"", 0, prior});
    }
  }

  void order_nodes() {
    enum class Mark { None, Active, Done };
    std::vector<Mark> mark(graph_.nodes.size(), Mark::None);
    std::vector<std::size_t> stack;
    std::function<void(std::size_t)> visit = [&](std::size_t i) {
      if (mark[i] == Mark::Done) return;
      if (mark[i] == Mark::Active) {
        const auto start = std::find(stack.begin(), stack.end(), i);
        std::string cycle;
        for (auto it = start; it != stack.end(); ++it) cycle += graph_.nodes[*it].name + " -> ";
        cycle += graph_.nodes[i].name;
        throw ConfigError(graph_.nodes[i].where, "reference cycle: " + cycle +
                                                     " (a component cannot depend on itself, directly or through others)");
      }
      mark[i] = Mark::Active;
      stack.push_back(i);
      for (const Edge& e : graph_.nodes[i].edges) visit(e.target);
      stack.pop_back();
      mark[i] = Mark::Done;
      graph_.order.push_back(i);
    };
    for (std::size_t i = 0; i < graph_.nodes.size(); ++i) visit(i);
  }

  static constexpr std::size_t kNoNode = static_cast<std::size_t>(-1);
  const AnalysisConfig& config_;
  const PluginCatalog& catalog_;
  Graph graph_;
  std::vector<PendingReference> pending_;
  std::optional<std::size_t> posterior_;
  std::optional<std::size_t> prior_;
};

}  // namespace

std::optional<std::size_t> Graph::find(std::string_view name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return i;
  return std::nullopt;
}

std::vector<std::size_t> Graph::terminal_runnables() const {
  std::vector<bool> referenced(nodes.size(), false);
  for (const auto& n : nodes)
    for (const auto& e : n.edges) referenced[e.target] = true;
  std::vector<std::size_t> out;
  for (std::size_t i : order)
    if (is_runnable(nodes[i].kind) && !referenced[i]) out.push_back(i);
  return out;
}

std::string Graph::to_dot(const std::string& title) const {
  std::ostringstream os;
  os << "digraph \"" << title << "\" {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n";
  for (std::size_t i : order) {
    const Node& n = nodes[i];
    const char* shape = is_runnable(n.kind) ? "box, style=bold" : (n.kind == Kind::Target ? "ellipse" : "box");
    os << "  \"" << n.name << "\" [label=\"" << n.name << "\\n" << n.plugin_name() << "\\n(" << kind_name(n.kind)
       << ")\", shape=" << shape << "];\n";
  }
  for (std::size_t i : order)
    for (const Edge& e : nodes[i].edges)
      os << "  \"" << nodes[e.target].name << "\" -> \"" << nodes[i].name << "\""
         << (e.key.empty() ? std::string() : " [label=\"" + e.key + "\"]") << ";\n";
  os << "}\n";
  return os.str();
}

std::string Graph::plan(const std::vector<std::size_t>& runnables) const {
  std::ostringstream os;
  std::size_t step = 1;
  for (std::size_t i : order) {
    const Node& n = nodes[i];
    os << "  " << step++ << ". " << n.name << "  [" << kind_name(n.kind) << ", " << n.plugin_name() << "]";
    if (!n.edges.empty()) {
      os << "  <- ";
      for (std::size_t k = 0; k < n.edges.size(); ++k) os << (k ? ", " : "") << nodes[n.edges[k].target].name;
    }
    if (std::find(runnables.begin(), runnables.end(), i) != runnables.end()) os << "  (runs)";
    os << "\n";
  }
  return os.str();
}

Graph build_graph(const AnalysisConfig& config, const PluginCatalog& catalog) {
  return GraphBuilder(config, catalog).build();
}

}  // namespace orrery::kernel
