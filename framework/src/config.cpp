#include "config.hpp"

#include <algorithm>
#include <cctype>

#include <orrery/suggest.hpp>
#include "toml_values.hpp"

namespace orrery::kernel {
namespace fs = std::filesystem;

namespace {
const std::vector<std::string> kSections = {"analysis", "plugins", "parameters", "components", "observation"};
const std::vector<std::string> kAnalysisKeys = {"name", "seed", "output", "cache", "run", "description"};

void check_keys(const Value& table, const std::vector<std::string>& allowed, const std::string& where_name) {
  for (const auto& [key, value] : table.as_table())
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      throw ConfigError(value.where(), "unknown key '" + key + "' in " + where_name + did_you_mean(key, allowed));
}

const Value& expect_type(const Value* v, bool ok, const std::string& what, const std::string& key) {
  if (!ok) throw ConfigError(v->where(), "[analysis] " + key + ": expected " + what + ", found " + Value::type_name(v->type()));
  return *v;
}
}  // namespace

const Value& AnalysisConfig::section(std::string_view name) const {
  static const Value empty{ValueTable{}};
  const Value* v = root.find(name);
  return v ? *v : empty;
}

bool is_safe_name(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; });
}

AnalysisConfig load_config(const fs::path& file, const std::vector<std::string>& overrides) {
  AnalysisConfig cfg;
  cfg.file = file;
  cfg.root = parse_toml_file(file);
  for (const auto& o : overrides) apply_override(cfg.root, o);

  for (const auto& [key, value] : cfg.root.as_table()) {
    if (std::find(kSections.begin(), kSections.end(), key) == kSections.end())
      throw ConfigError(value.where(), "unknown section [" + key + "]" + did_you_mean(key, kSections) +
                                           " (sections: [analysis], [plugins], [parameters], [components.<name>], [observation])");
    if (!value.is_table()) throw ConfigError(value.where(), "[" + key + "] must be a table");
  }

  const Value& analysis = cfg.section("analysis");
  check_keys(analysis, kAnalysisKeys, "[analysis]");
  cfg.name = file.stem().string();
  if (const Value* v = analysis.find("name")) cfg.name = expect_type(v, v->is_string(), "a string", "name").as_string();
  if (!is_safe_name(cfg.name))
    throw ConfigError(analysis.find("name") ? analysis.find("name")->where() : SourceLocation{file.string()},
                      "[analysis] name '" + cfg.name + "' must use only letters, digits, '-', '_' and '.' (it names the output folder)");
  if (const Value* v = analysis.find("seed")) {
    expect_type(v, v->is_integer(), "an integer", "seed");
    if (v->as_integer() < 0) throw ConfigError(v->where(), "[analysis] seed must be non-negative");
    cfg.seed = static_cast<std::uint64_t>(v->as_integer());
  }
  cfg.output = "runs";
  if (const Value* v = analysis.find("output")) cfg.output = expect_type(v, v->is_string(), "a string", "output").as_string();
  cfg.cache = cfg.output / ".cache";
  if (const Value* v = analysis.find("cache")) cfg.cache = expect_type(v, v->is_string(), "a string", "cache").as_string();
  if (const Value* v = analysis.find("run")) {
    expect_type(v, v->is_list(), "a list of component names", "run");
    for (const Value& e : v->as_list()) cfg.run.push_back(expect_type(&e, e.is_string(), "a string", "run").as_string());
  }

  const Value& plugins = cfg.section("plugins");
  check_keys(plugins, {"paths"}, "[plugins]");
  if (const Value* v = plugins.find("paths")) {
    if (!v->is_list()) throw ConfigError(v->where(), "[plugins] paths: expected a list of folders");
    const fs::path base = fs::absolute(file).parent_path();
    for (const Value& e : v->as_list()) {
      if (!e.is_string()) throw ConfigError(e.where(), "[plugins] paths: expected a folder name (string)");
      fs::path p = e.as_string();
      cfg.plugin_paths.push_back(p.is_absolute() ? p : base / p);
    }
  }

  const Value& components = cfg.section("components");
  for (const auto& [name, value] : components.as_table()) {
    if (!value.is_table())
      throw ConfigError(value.where(), "[components] " + name + ": expected a table [components." + name + "] with a plugin key");
    if (name == "posterior" || name == "prior" || !is_safe_name(name) || name.find('.') != std::string::npos)
      throw ConfigError(value.where(), "component name '" + name +
                                           "' is reserved or invalid (use letters, digits, '-' and '_'; 'posterior' and 'prior' are built in)");
  }
  return cfg;
}

}  // namespace orrery::kernel
