// Conversion between TOML documents and orrery::Value trees.
//
// The kernel is the only place that knows about TOML; plugins see Values.
// Every Value keeps the file:line:column it came from, so any later error
// (schema, reference, plugin) can point at the offending line.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <orrery/value.hpp>

namespace orrery::kernel {

/// Parses a TOML file. Throws ConfigError with file:line:column on bad syntax.
Value parse_toml_file(const std::filesystem::path& file);
/// Parses TOML text; `source_name` is used in locations and messages.
Value parse_toml_string(std::string_view text, const std::string& source_name);

/// Applies "a.b.c=value" (value in TOML syntax; bare words are strings),
/// creating tables as needed. Throws ConfigError on a malformed override.
void apply_override(Value& root, std::string_view assignment);

/// Serialises a table back to TOML text (for the resolved config of a run).
std::string to_toml(const Value& table);

/// A canonical one-line rendering, for hashing: key order normalised, reals
/// at full precision and tagged.
std::string canonical_string(const Value& value);

/// A one-line rendering for people, in TOML syntax ("0.1", "[1, 2]", "\"x\"").
std::string display_string(const Value& value);

}  // namespace orrery::kernel
