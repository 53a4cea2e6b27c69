// Option schemas: what a component accepts in its TOML table.
//
// Each component declares its options once, as a static `options()` function
// returning a Schema. The kernel validates every config against it before
// constructing anything: unknown keys (with a did-you-mean), missing required
// options, wrong types and out-of-range numbers are reported with file:line.
// Defaults are filled in, so a component reads every declared option without
// checking for presence. `orrery describe` prints the schema as documentation.
//
//   static orrery::Schema options() {
//     using namespace orrery::option;
//     return {real("min").required().doc("lower bound"),
//             integer("steps").default_value(1000).min(1).doc("steps per chain"),
//             reference("target", orrery::Kind::Target).doc("the density to sample")};
//   }
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orrery/kind.hpp"
#include "orrery/value.hpp"

namespace orrery {

enum class OptionType {
  Boolean,
  Integer,
  Real,        ///< integers are accepted and converted
  String,
  RealList,    ///< [1.0, 2.0]
  RealMatrix,  ///< [[1, 0], [0, 1]], rows of equal length
  StringList,
  Table,       ///< free-form sub-table, validated by the component itself
  Reference,   ///< "@name" or an inline table { plugin = "lib.comp", ... }
  ReferenceList,
  File,        ///< a path to an existing file or folder; relative paths are taken
               ///< from the config file's folder, and the component receives an
               ///< absolute path. Its contents are part of the artifact-cache key.
  Any,         ///< anything; the component validates it
};

constexpr const char* option_type_name(OptionType t) {
  switch (t) {
    case OptionType::Boolean: return "boolean";
    case OptionType::Integer: return "integer";
    case OptionType::Real: return "real";
    case OptionType::String: return "string";
    case OptionType::RealList: return "list of reals";
    case OptionType::RealMatrix: return "matrix of reals";
    case OptionType::StringList: return "list of strings";
    case OptionType::Table: return "table";
    case OptionType::Reference: return "reference";
    case OptionType::ReferenceList: return "list of references";
    case OptionType::File: return "file";
    case OptionType::Any: return "any";
  }
  return "?";
}

/// The declaration of one option. Built with the fluent helpers in
/// `orrery::option` rather than by hand.
struct OptionSpec {
  std::string key;
  OptionType type = OptionType::Any;
  bool required = false;
  std::optional<Value> default_value;   ///< filled in when absent (never with required)
  std::optional<double> minimum;        ///< for Integer/Real and each RealList entry
  std::optional<double> maximum;
  bool exclusive_minimum = false;       ///< minimum itself is not allowed (e.g. sd > 0)
  bool exclusive_maximum = false;
  std::vector<std::string> choices;     ///< allowed strings, if non-empty
  std::optional<Kind> reference_kind;   ///< for Reference/ReferenceList
  std::string documentation;
};

using Schema = std::vector<OptionSpec>;

namespace option {

/// Fluent builder for an OptionSpec; converts implicitly.
class Builder {
 public:
  Builder(std::string key, OptionType type) { spec_.key = std::move(key); spec_.type = type; }
  Builder& required() { spec_.required = true; return *this; }
  Builder& default_value(Value v) { spec_.default_value = std::move(v); return *this; }
  Builder& min(double m) { spec_.minimum = m; return *this; }
  Builder& max(double m) { spec_.maximum = m; return *this; }
  Builder& range(double lo, double hi) { spec_.minimum = lo; spec_.maximum = hi; return *this; }
  /// Strict bounds: value > m, value < m.
  Builder& greater_than(double m) { spec_.minimum = m; spec_.exclusive_minimum = true; return *this; }
  Builder& less_than(double m) { spec_.maximum = m; spec_.exclusive_maximum = true; return *this; }
  Builder& choices(std::vector<std::string> c) { spec_.choices = std::move(c); return *this; }
  Builder& doc(std::string d) { spec_.documentation = std::move(d); return *this; }
  operator OptionSpec() const { return spec_; }  // NOLINT(google-explicit-constructor)

 private:
  friend Builder reference(std::string, Kind);
  friend Builder reference_list(std::string, Kind);
  OptionSpec spec_;
};

inline Builder boolean(std::string key) { return {std::move(key), OptionType::Boolean}; }
inline Builder integer(std::string key) { return {std::move(key), OptionType::Integer}; }
inline Builder real(std::string key) { return {std::move(key), OptionType::Real}; }
inline Builder string(std::string key) { return {std::move(key), OptionType::String}; }
inline Builder real_list(std::string key) { return {std::move(key), OptionType::RealList}; }
inline Builder real_matrix(std::string key) { return {std::move(key), OptionType::RealMatrix}; }
inline Builder string_list(std::string key) { return {std::move(key), OptionType::StringList}; }
inline Builder table(std::string key) { return {std::move(key), OptionType::Table}; }
inline Builder file(std::string key) { return {std::move(key), OptionType::File}; }
inline Builder any(std::string key) { return {std::move(key), OptionType::Any}; }
inline Builder reference(std::string key, Kind kind) {
  Builder b{std::move(key), OptionType::Reference};
  b.spec_.reference_kind = kind;
  return b;
}
inline Builder reference_list(std::string key, Kind kind) {
  Builder b{std::move(key), OptionType::ReferenceList};
  b.spec_.reference_kind = kind;
  return b;
}

}  // namespace option
}  // namespace orrery
