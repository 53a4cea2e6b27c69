#include "toml_values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
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

std::string toml_string(const std::string& text) {
  std::string s = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': s += "\\\""; break;
      case '\\': s += "\\\\"; break;
      case '\n': s += "\\n"; break;
      case '\t': s += "\\t"; break;
      case '\r': s += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          s += buf;
        } else {
          s += c;
        }
    }
  }
  return s + "\"";
}

std::string toml_key(const std::string& key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  return bare ? key : toml_string(key);
}

std::string toml_real(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);  // shortest text that reads back exactly
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string toml_inline(const Value& v) {
  switch (v.type()) {
    case Value::Type::Null: return "\"\"";
    case Value::Type::Boolean: return v.as_bool() ? "true" : "false";
    case Value::Type::Integer: return std::to_string(v.as_integer());
    case Value::Type::Real: return toml_real(v.as_real());
    case Value::Type::String: return toml_string(v.as_string());
    case Value::Type::List: {
      std::string s = "[";
      for (const Value& e : v.as_list()) s += (s.size() > 1 ? ", " : "") + toml_inline(e);
      return s + "]";
    }
    case Value::Type::Table: {
      std::string s = "{";
      bool first = true;
      for (const auto& [k, e] : v.as_table()) {
        s += (first ? " " : ", ") + toml_key(k) + " = " + toml_inline(e);
        first = false;
      }
      return s + (first ? "}" : " }");
    }
  }
  return "";
}

/// A table under `path`: as [path.child] sections when every entry is a table
/// (e.g. [components]), otherwise as one [path] section with inline values, so
/// the written order is kept exactly.
void emit_table(std::ostringstream& os, const std::string& path, const Value& table) {
  const ValueTable& entries = table.as_table();
  const bool all_tables = !entries.empty() && std::all_of(entries.begin(), entries.end(),
                                                          [](const auto& kv) { return kv.second.is_table(); });
  if (all_tables) {
    for (const auto& [k, child] : entries) emit_table(os, path + "." + toml_key(k), child);
    return;
  }
  os << "\n[" << path << "]\n";
  for (const auto& [k, v] : entries) os << toml_key(k) << " = " << toml_inline(v) << "\n";
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
  std::ostringstream os;
  for (const auto& [k, v] : table.as_table())
    if (!v.is_table()) os << toml_key(k) << " = " << toml_inline(v) << "\n";
  for (const auto& [k, v] : table.as_table())
    if (v.is_table()) emit_table(os, toml_key(k), v);
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
