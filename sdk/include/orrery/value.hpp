// Value: one option value from a TOML analysis, with where it was written.
//
// The kernel converts the TOML document into Values so that plugins never
// depend on a TOML library. A Value is a boolean, integer, real, string, list
// or table; tables keep the order in which keys were written.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "orrery/error.hpp"

namespace orrery {

class Value;
using ValueList = std::vector<Value>;
using ValueTable = std::vector<std::pair<std::string, Value>>;

class Value {
 public:
  enum class Type { Null, Boolean, Integer, Real, String, List, Table };

  Value() = default;
  Value(bool b, SourceLocation where = {}) : data_(b), where_(std::move(where)) {}
  Value(std::int64_t i, SourceLocation where = {}) : data_(i), where_(std::move(where)) {}
  Value(int i, SourceLocation where = {}) : data_(std::int64_t{i}), where_(std::move(where)) {}
  Value(double d, SourceLocation where = {}) : data_(d), where_(std::move(where)) {}
  Value(std::string s, SourceLocation where = {}) : data_(std::move(s)), where_(std::move(where)) {}
  Value(const char* s, SourceLocation where = {}) : data_(std::string(s)), where_(std::move(where)) {}
  Value(ValueList l, SourceLocation where = {}) : data_(std::move(l)), where_(std::move(where)) {}
  Value(ValueTable t, SourceLocation where = {}) : data_(std::move(t)), where_(std::move(where)) {}

  [[nodiscard]] Type type() const { return static_cast<Type>(data_.index()); }
  [[nodiscard]] bool is_null() const { return type() == Type::Null; }
  [[nodiscard]] bool is_bool() const { return type() == Type::Boolean; }
  [[nodiscard]] bool is_integer() const { return type() == Type::Integer; }
  [[nodiscard]] bool is_real() const { return type() == Type::Real; }
  /// Integers count as numbers too: `steps = 10` is a valid real.
  [[nodiscard]] bool is_number() const { return is_integer() || is_real(); }
  [[nodiscard]] bool is_string() const { return type() == Type::String; }
  [[nodiscard]] bool is_list() const { return type() == Type::List; }
  [[nodiscard]] bool is_table() const { return type() == Type::Table; }
  /// A string of the form "@name": a reference to another component.
  [[nodiscard]] bool is_reference() const {
    return is_string() && !as_string().empty() && as_string().front() == '@';
  }

  /// Accessors throw ConfigError naming the location when the type differs.
  [[nodiscard]] bool as_bool() const { return get<bool>("a boolean"); }
  [[nodiscard]] std::int64_t as_integer() const { return get<std::int64_t>("an integer"); }
  [[nodiscard]] double as_real() const {
    if (is_integer()) return static_cast<double>(std::get<std::int64_t>(data_));
    return get<double>("a number");
  }
  [[nodiscard]] const std::string& as_string() const { return get<std::string>("a string"); }
  [[nodiscard]] const ValueList& as_list() const { return get<ValueList>("a list"); }
  [[nodiscard]] const ValueTable& as_table() const { return get<ValueTable>("a table"); }
  [[nodiscard]] ValueList& as_list() { return const_cast<ValueList&>(std::as_const(*this).as_list()); }
  [[nodiscard]] ValueTable& as_table() { return const_cast<ValueTable&>(std::as_const(*this).as_table()); }

  /// Table lookup; nullptr when absent (or when this is not a table).
  [[nodiscard]] const Value* find(std::string_view key) const {
    if (!is_table()) return nullptr;
    for (const auto& [k, v] : std::get<ValueTable>(data_))
      if (k == key) return &v;
    return nullptr;
  }
  [[nodiscard]] Value* find(std::string_view key) {
    return const_cast<Value*>(std::as_const(*this).find(key));
  }

  [[nodiscard]] const SourceLocation& where() const { return where_; }
  void set_where(SourceLocation where) { where_ = std::move(where); }

  /// "boolean", "integer", ... for error messages.
  [[nodiscard]] static const char* type_name(Type t) {
    switch (t) {
      case Type::Null: return "nothing";
      case Type::Boolean: return "a boolean";
      case Type::Integer: return "an integer";
      case Type::Real: return "a real number";
      case Type::String: return "a string";
      case Type::List: return "a list";
      case Type::Table: return "a table";
    }
    return "?";
  }

 private:
  template <typename T>
  const T& get(const char* expected) const {
    if (const T* p = std::get_if<T>(&data_)) return *p;
    throw ConfigError(where_, std::string("expected ") + expected + ", found " + type_name(type()));
  }

  std::variant<std::monostate, bool, std::int64_t, double, std::string, ValueList, ValueTable> data_;
  SourceLocation where_;
};

}  // namespace orrery
