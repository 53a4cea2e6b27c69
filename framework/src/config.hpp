// AnalysisConfig: the top level of a TOML analysis, checked and defaulted.
//
//   [analysis]    name, seed, output, cache, run
//   [plugins]     paths (relative to the config file)
//   [parameters]  named scalars and shaped fields (see parameters.hpp)
//   [components.<name>]  plugin = "library.component" plus its options
//   [observation] file = "data.txt" | "data.npy"
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <orrery/value.hpp>

namespace orrery::kernel {

struct AnalysisConfig {
  std::filesystem::path file;       ///< the config file as given
  Value root;                       ///< whole document after overrides
  std::string name;                 ///< [analysis] name (default: file stem)
  std::uint64_t seed = 0;           ///< [analysis] seed
  std::filesystem::path output;     ///< [analysis] output folder (default "runs", relative to the working directory)
  std::filesystem::path cache;      ///< [analysis] cache folder (default <output>/.cache)
  std::vector<std::string> run;     ///< [analysis] run: runnables to execute (default: all terminal ones)
  std::vector<std::filesystem::path> plugin_paths;  ///< [plugins] paths, made absolute

  [[nodiscard]] const Value& section(std::string_view name) const;  ///< empty table if absent
};

/// Loads, applies "--set" overrides, checks sections and [analysis] keys.
AnalysisConfig load_config(const std::filesystem::path& file, const std::vector<std::string>& overrides);

/// Folder names must be safe: letters, digits, '-', '_', '.'; not starting with '.'.
bool is_safe_name(std::string_view name);

}  // namespace orrery::kernel
