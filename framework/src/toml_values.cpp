#include "toml_values.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace orrery::kernel {
namespace {

SourceLocation location_of(const toml::node& node, const std::string& file) {
  const auto& src = node.source();
  return SourceLocation{file, static_cast<std::uint32_t>(src.begin.line), static_cast<std::uint32_t>(src.begin.column)};
}

Value convert(const toml::node& node, const std::string& file) {
  const SourceLocation where = location_of(node, file);
  if (const auto* t = node.as_table()) {
    ValueTable out;
    for (const auto& [key, child] : *t) out.emplace_back(std::string(key.str()), convert(child, file));
    // TOML++ keeps keys sorted by name; Orrery keeps them in the order they
    // were written (parameter order is the order of the flat vector).
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      const SourceLocation &x = a.second.where(), &y = b.second.where();
      return x.line != y.line ? x.line < y.line : x.column < y.column;
    });
    return Value(std::move(out), where);
  }
  if (const auto* a = node.as_array()) {
    ValueList out;
    for (const auto& child : *a) out.push_back(convert(child, file));
    return Value(std::move(out), where);
  }
  if (const auto* s = node.as_string()) return Value(s->get(), where);
  if (const auto* i = node.as_integer()) return Value(std::int64_t{i->get()}, where);
  if (const auto* f = node.as_floating_point()) return Value(f->get(), where);
  if (const auto* b = node.as_boolean()) return Value(b->get(), where);
  throw ConfigError(where, "dates and times are not supported in Orrery configs");
}

Value parse(std::string_view text, const std::string& source_name) {
  try {
    toml::table table = toml::parse(text, source_name);
    return convert(table, source_name);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ConfigError(SourceLocation{source_name, static_cast<std::uint32_t>(b.line), static_cast<std::uint32_t>(b.column)},
                      "TOML syntax error: " + std::string(e.description()));
  }
}

void append_toml(toml::table& out, const std::string& key, const Value& v);

toml::array to_array(const ValueList& list) {
  toml::array arr;
  for (const Value& v : list) {
    switch (v.type()) {
      case Value::Type::Boolean: arr.push_back(v.as_bool()); break;
      case Value::Type::Integer: arr.push_back(v.as_integer()); break;
      case Value::Type::Real: arr.push_back(v.as_real()); break;
      case Value::Type::String: arr.push_back(v.as_string()); break;
      case Value::Type::List: arr.push_back(to_array(v.as_list())); break;
      case Value::Type::Table: {
        toml::table t;
        for (const auto& [k, c] : v.as_table()) append_toml(t, k, c);
        arr.push_back(std::move(t));
        break;
      }
      case Value::Type::Null: break;
    }
  }
  return arr;
}

void append_toml(toml::table& out, const std::string& key, const Value& v) {
  switch (v.type()) {
    case Value::Type::Boolean: out.insert_or_assign(key, v.as_bool()); break;
    case Value::Type::Integer: out.insert_or_assign(key, v.as_integer()); break;
    case Value::Type::Real: out.insert_or_assign(key, v.as_real()); break;
    case Value::Type::String: out.insert_or_assign(key, v.as_string()); break;
    case Value::Type::List: out.insert_or_assign(key, to_array(v.as_list())); break;
    case Value::Type::Table: {
      toml::table t;
      for (const auto& [k, c] : v.as_table()) append_toml(t, k, c);
      out.insert_or_assign(key, std::move(t));
      break;
    }
    case Value::Type::Null: break;
  }
}

}  // namespace

Value parse_toml_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(SourceLocation{}, "cannot read config file '" + file.string() + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), file.string());
}

Value parse_toml_string(std::string_view text, const std::string& source_name) { return parse(text, source_name); }

void apply_override(Value& root, std::string_view assignment) {
  const SourceLocation where{"--set " + std::string(assignment), 0, 0};
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw ConfigError(where, "an override must look like section.key=value");
  std::string path(assignment.substr(0, eq));
  const std::string text(assignment.substr(eq + 1));
  while (!path.empty() && path.back() == ' ') path.pop_back();

  // Parse the right-hand side as a TOML value; a bare word is taken as a string.
  Value value;
  try {
    toml::table t = toml::parse("v = " + text);
    value = convert(*t.get("v"), where.file);
  } catch (const toml::parse_error&) {
    value = Value(text);
  }
  value.set_where(where);

  Value* node = &root;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key.empty()) throw ConfigError(where, "empty key in override path '" + path + "'");
    if (!node->is_table()) throw ConfigError(where, "'" + path.substr(0, start ? start - 1 : 0) + "' is not a table");
    Value* child = node->find(key);
    if (dot == std::string::npos) {
      if (child) {
        *child = std::move(value);
      } else {
        node->as_table().emplace_back(key, std::move(value));
      }
      return;
    }
    if (!child) {
      node->as_table().emplace_back(key, Value(ValueTable{}, where));
      child = &node->as_table().back().second;
    }
    node = child;
    start = dot + 1;
  }
}

std::string to_toml(const Value& table) {
  toml::table out;
  for (const auto& [k, v] : table.as_table()) append_toml(out, k, v);
  std::ostringstream os;
  os << out << "\n";
  return os.str();
}

std::string canonical_string(const Value& value) {
  std::ostringstream os;
  os.precision(17);
  switch (value.type()) {
    case Value::Type::Null: os << "null"; break;
    case Value::Type::Boolean: os << (value.as_bool() ? "true" : "false"); break;
    case Value::Type::Integer: os << value.as_integer(); break;
    case Value::Type::Real: os << value.as_real() << "r"; break;
    case Value::Type::String: os << '"' << value.as_string() << '"'; break;
    case Value::Type::List: {
      os << '[';
      for (const Value& v : value.as_list()) os << canonical_string(v) << ',';
      os << ']';
      break;
    }
    case Value::Type::Table: {
      // Key order is normalised so that reordering keys does not change a hash.
      std::vector<std::pair<std::string, std::string>> items;
      for (const auto& [k, v] : value.as_table()) items.emplace_back(k, canonical_string(v));
      std::sort(items.begin(), items.end());
      os << '{';
      for (const auto& [k, v] : items) os << k << '=' << v << ';';
      os << '}';
      break;
    }
  }
  return os.str();
}

std::string display_string(const Value& value) {
  switch (value.type()) {
    case Value::Type::Null: return "";
    case Value::Type::Boolean: return value.as_bool() ? "true" : "false";
    case Value::Type::Integer: return std::to_string(value.as_integer());
    case Value::Type::Real: {
      std::ostringstream os;
      os << value.as_real();
      std::string s = os.str();
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      return s;
    }
    case Value::Type::String: return "\"" + value.as_string() + "\"";
    case Value::Type::List: {
      std::string s = "[";
      for (const Value& v : value.as_list()) s += (s.size() > 1 ? ", " : "") + display_string(v);
      return s + "]";
    }
    case Value::Type::Table: {
      std::string s = "{ ";
      bool first = true;
      for (const auto& [k, v] : value.as_table()) {
        s += (first ? "" : ", ") + k + " = " + display_string(v);
        first = false;
      }
      return s + " }";
    }
  }
  return "";
}

}  // namespace orrery::kernel
