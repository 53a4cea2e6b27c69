// Exceptions shared by the kernel and plugins.
//
// Plugins report bad input by throwing ConfigError (ideally through
// Options::error, which fills in the file, line and key) and failures of
// computation by throwing Error. The kernel catches both at the component
// boundary, adds the component and plugin names, and exits non-zero. A
// simulator that fails for one parameter point throws SimulationFailure: the
// caller counts and skips that point instead of aborting the run.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "orrery/version.hpp"

namespace orrery {

/// Where a value came from: a config file position, or a command-line override.
struct SourceLocation {
  std::string file;     ///< config file path, or "--set" for overrides; empty if unknown
  std::uint32_t line = 0;    ///< 1-based; 0 if unknown
  std::uint32_t column = 0;  ///< 1-based; 0 if unknown

  [[nodiscard]] bool known() const { return !file.empty(); }
  /// "file:line:column", or "" when unknown.
  [[nodiscard]] std::string str() const {
    if (file.empty()) return {};
    if (line == 0) return file;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
};

/// Any failure inside Orrery or a plugin that should stop the run.
class ORRERY_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Invalid user input: a config value, an option, a data file.
class ORRERY_API ConfigError : public Error {
 public:
  ConfigError(SourceLocation where, const std::string& message)
      : Error(where.known() ? where.str() + ": " + message : message), where_(std::move(where)) {}
  [[nodiscard]] const SourceLocation& where() const { return where_; }

 private:
  SourceLocation where_;
};

/// One simulation failed for one parameter point; callers skip and count it.
class ORRERY_API SimulationFailure : public Error {
 public:
  using Error::Error;
};

}  // namespace orrery
