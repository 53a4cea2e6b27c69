// Checks a component's options against its schema and fills in defaults.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <orrery/schema.hpp>
#include <orrery/value.hpp>

namespace orrery::kernel {

/// Options a component table may carry besides its schema (e.g. "plugin").
inline constexpr const char* kPluginKey = "plugin";

/// Validates `options` (a table) against `schema` for the component instance
/// `instance` created from `plugin`, and returns a copy with every absent
/// optional key set to its default. Throws ConfigError at the offending line:
/// unknown key (with suggestions), missing required key, wrong type, number
/// out of range, string not among the allowed choices, malformed reference.
/// Keys listed in `extra_allowed` are accepted without checking.
/// File options are resolved against `base_dir` (the config file's folder),
/// must exist, and are returned as absolute paths.
Value check_options(const Value& options, const Schema& schema, const std::string& instance, const std::string& plugin,
                    const std::filesystem::path& base_dir, const std::vector<std::string>& extra_allowed = {kPluginKey});

/// True if `v` is a valid reference value: "@name", "library.component", or
/// an inline table with a "plugin" key.
bool is_reference_value(const Value& v);

}  // namespace orrery::kernel
