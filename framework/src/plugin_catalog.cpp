#include "plugin_catalog.hpp"

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <set>

#include <orrery/suggest.hpp>

#ifndef ORRERY_INSTALL_PLUGIN_DIR
#define ORRERY_INSTALL_PLUGIN_DIR ""
#endif
#ifndef ORRERY_RELATIVE_PLUGIN_DIR
#define ORRERY_RELATIVE_PLUGIN_DIR "lib/orrery/plugins"
#endif

namespace orrery::kernel {
namespace fs = std::filesystem;

namespace {
constexpr std::string_view kPrefix = "orrery-";
constexpr std::string_view kSuffix = ".so";

bool is_plugin_file(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.size() > kPrefix.size() + kSuffix.size() && name.starts_with(kPrefix) && name.ends_with(kSuffix);
}

std::string library_name_of(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
}
}  // namespace

std::vector<fs::path> PluginCatalog::default_search_path() {
  std::vector<fs::path> out;
  if (const char* env = std::getenv("ORRERY_PLUGIN_PATH")) {
    std::string_view s(env);
    while (!s.empty()) {
      const auto colon = s.find(':');
      const auto part = s.substr(0, colon);
      if (!part.empty()) out.emplace_back(part);
      if (colon == std::string_view::npos) break;
      s.remove_prefix(colon + 1);
    }
  }
  std::error_code ec;
  const fs::path exe = boost::dll::program_location(ec);
  if (!ec) out.push_back(exe.parent_path().parent_path() / ORRERY_RELATIVE_PLUGIN_DIR);
  if (std::string_view(ORRERY_INSTALL_PLUGIN_DIR).size() > 0) out.emplace_back(ORRERY_INSTALL_PLUGIN_DIR);
  return out;
}

PluginCatalog::PluginCatalog(const std::vector<fs::path>& folders) {
  std::set<fs::path> seen_folders;
  for (const fs::path& folder : folders) {
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(folder, ec);
    if (ec || !fs::is_directory(canonical, ec) || !seen_folders.insert(canonical).second) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(canonical, ec))
      if (entry.is_regular_file() && is_plugin_file(entry.path())) files.push_back(entry.path());
    std::sort(files.begin(), files.end());  // deterministic order
    for (const auto& f : files) load_file(f);
  }
}

void PluginCatalog::load_file(const fs::path& file) {
  const std::string expected_library = library_name_of(file);
  if (auto it = libraries_.find(expected_library); it != libraries_.end()) {
    notes_.push_back("plugin library '" + expected_library + "' in " + file.string() + " is shadowed by " +
                     it->second->file.string());
    return;
  }
  auto lib = std::make_shared<LoadedLibrary>();
  lib->file = file;
  try {
    lib->handle = std::make_shared<boost::dll::shared_library>(
        file, boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    broken_.push_back({expected_library, file, std::string("cannot be loaded: ") + e.what()});
    return;
  }
  if (!lib->handle->has("orrery_abi_version") || !lib->handle->has("orrery_manifest")) {
    broken_.push_back({expected_library, file, "is not an Orrery plugin (no ORRERY_DEFINE_PLUGIN symbols)"});
    return;
  }
  // The ABI number is checked before anything else in the library is touched.
  const int abi = lib->handle->get_alias<int()>("orrery_abi_version")();
  if (abi != kAbiVersion) {
    broken_.push_back({expected_library, file,
                       "was built for Orrery plugin ABI " + std::to_string(abi) + ", but this orrery uses ABI " +
                           std::to_string(kAbiVersion) + "; rebuild it against the installed Orrery SDK"});
    return;
  }
  try {
    lib->manifest = lib->handle->get_alias<const PluginManifest*()>("orrery_manifest")();
  } catch (const std::exception& e) {
    broken_.push_back({expected_library, file, std::string("failed to describe itself: ") + e.what()});
    return;
  }
  if (lib->manifest->library != expected_library) {
    broken_.push_back({expected_library, file,
                       "declares library name '" + lib->manifest->library + "' but its file name says '" +
                           expected_library + "' (name the file orrery-" + lib->manifest->library + ".so)"});
    return;
  }
  libraries_.emplace(expected_library, std::move(lib));
}

std::vector<std::string> PluginCatalog::all_component_names() const {
  std::vector<std::string> out;
  for (const auto& [name, lib] : libraries_)
    for (const auto& c : lib->manifest->components) out.push_back(name + "." + c.name);
  return out;
}

ComponentEntry PluginCatalog::find(const std::string& qualified, const SourceLocation& where) const {
  const auto dot = qualified.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == qualified.size())
    throw ConfigError(where, "plugin '" + qualified + "' must be written as \"<library>.<component>\"" +
                                 did_you_mean(qualified, all_component_names()));
  const std::string library = qualified.substr(0, dot);
  const std::string component = qualified.substr(dot + 1);
  const auto it = libraries_.find(library);
  if (it == libraries_.end()) {
    for (const auto& b : broken_)
      if (b.library == library)
        throw ConfigError(where, "plugin library '" + library + "' (" + b.file.string() + ") " + b.reason);
    std::vector<std::string> names;
    for (const auto& [n, l] : libraries_) names.push_back(n);
    throw ConfigError(where, "unknown plugin library '" + library + "' in '" + qualified + "'" +
                                 did_you_mean(qualified, all_component_names()) +
                                 (names.empty() ? std::string("; no plugin libraries were found") : std::string()) +
                                 "; run 'orrery plugins' to list what is available");
  }
  for (const auto& c : it->second->manifest->components)
    if (c.name == component) return ComponentEntry{&c, it->second};
  std::vector<std::string> names;
  for (const auto& c : it->second->manifest->components) names.push_back(library + "." + c.name);
  throw ConfigError(where, "plugin library '" + library + "' has no component '" + component + "'" +
                               did_you_mean(qualified, names));
}

ComponentEntry PluginCatalog::find_by_short_name(const std::string& short_name, Kind kind,
                                                 const SourceLocation& where) const {
  if (short_name.find('.') != std::string::npos) return find(short_name, where);
  std::vector<ComponentEntry> matches;
  std::vector<std::string> same_kind;
  for (const auto& [name, lib] : libraries_)
    for (const auto& c : lib->manifest->components) {
      if (c.kind != kind) continue;
      same_kind.push_back(c.name);
      if (c.name == short_name) matches.push_back(ComponentEntry{&c, lib});
    }
  if (matches.size() == 1) return matches.front();
  if (matches.size() > 1) {
    std::string names;
    for (const auto& m : matches) names += (names.empty() ? "'" : ", '") + m.qualified_name() + "'";
    throw ConfigError(where, "the " + std::string(kind_name(kind)) + " name '" + short_name + "' is ambiguous: " + names +
                                 " all provide it; write the full name");
  }
  throw ConfigError(where, "unknown " + std::string(kind_name(kind)) + " '" + short_name + "'" +
                               did_you_mean(short_name, same_kind));
}

}  // namespace orrery::kernel
