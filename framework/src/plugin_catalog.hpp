// PluginCatalog: finds plugin libraries, checks their ABI, and indexes the
// components they offer.
//
// Search order (first match of a library name wins; a shadowed copy is
// reported in the log): [plugins] paths of the config, ORRERY_PLUGIN_PATH,
// the built-in folder next to the binary (../lib/orrery/plugins), the install
// prefix. A library file is named orrery-<library>.so.
//
// Loaded libraries stay loaded for the catalog's lifetime, and each created
// component holds a reference to its library, so nothing is unloaded mid-run.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <orrery/plugin.hpp>

namespace boost::dll {
class shared_library;
}

namespace orrery::kernel {

/// One loaded library file.
struct LoadedLibrary {
  std::filesystem::path file;
  std::shared_ptr<boost::dll::shared_library> handle;
  const PluginManifest* manifest = nullptr;
};

/// A library file that could not be used, and why.
struct BrokenLibrary {
  std::string library;  ///< from the file name
  std::filesystem::path file;
  std::string reason;
};

/// A component found in the catalog.
struct ComponentEntry {
  const ComponentInfo* info = nullptr;
  std::shared_ptr<const LoadedLibrary> library;
  [[nodiscard]] std::string qualified_name() const { return library->manifest->library + "." + info->name; }
};

class PluginCatalog {
 public:
  /// The default search folders (everything but config-specific paths).
  static std::vector<std::filesystem::path> default_search_path();

  /// Scans `folders` in order, loading every orrery-*.so file.
  explicit PluginCatalog(const std::vector<std::filesystem::path>& folders);

  /// "core.uniform" → entry. Throws ConfigError (at `where`) naming close
  /// matches, or the reason a library could not be loaded.
  [[nodiscard]] ComponentEntry find(const std::string& qualified, const SourceLocation& where) const;
  /// The one component of `kind` named `short_name` in any library (used for
  /// `prior = "uniform"`); an ambiguous name is an error asking for the full one.
  [[nodiscard]] ComponentEntry find_by_short_name(const std::string& short_name, Kind kind,
                                                  const SourceLocation& where) const;

  [[nodiscard]] const std::map<std::string, std::shared_ptr<const LoadedLibrary>>& libraries() const { return libraries_; }
  [[nodiscard]] const std::vector<BrokenLibrary>& broken() const { return broken_; }
  [[nodiscard]] const std::vector<std::string>& notes() const { return notes_; }
  [[nodiscard]] std::vector<std::string> all_component_names() const;

 private:
  void load_file(const std::filesystem::path& file);

  std::map<std::string, std::shared_ptr<const LoadedLibrary>> libraries_;
  std::vector<BrokenLibrary> broken_;
  std::vector<std::string> notes_;  ///< shadowed libraries and similar remarks
};

}  // namespace orrery::kernel
