#include "schema_check.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <orrery/suggest.hpp>

namespace orrery::kernel {
namespace {

std::string number_string(double x) {
  std::ostringstream os;
  os << x;
  return os.str();
}

class OptionChecker {
 public:
  OptionChecker(const OptionSpec& spec, std::string prefix) : spec_(spec), prefix_(std::move(prefix)) {}

  void check(const Value& v) const {
    switch (spec_.type) {
      case OptionType::Boolean: expect(v.is_bool(), v, "a boolean (true or false)"); break;
      case OptionType::Integer:
        expect(v.is_integer(), v, "an integer");
        check_range(v.as_real(), v);
        break;
      case OptionType::Real:
        expect(v.is_number(), v, "a number");
        check_range(v.as_real(), v);
        break;
      case OptionType::String:
        expect(v.is_string(), v, "a string");
        check_choice(v);
        break;
      case OptionType::RealList:
        expect(v.is_list(), v, "a list of numbers");
        for (const Value& e : v.as_list()) {
          expect(e.is_number(), e, "a number in the list");
          check_range(e.as_real(), e);
        }
        break;
      case OptionType::RealMatrix: {
        expect(v.is_list(), v, "a matrix written as a list of rows, e.g. [[1, 0], [0, 1]]");
        std::size_t cols = 0;
        for (std::size_t r = 0; r < v.as_list().size(); ++r) {
          const Value& row = v.as_list()[r];
          expect(row.is_list(), row, "a matrix row (a list of numbers)");
          if (r == 0) cols = row.as_list().size();
          if (row.as_list().size() != cols)
            fail(row, "matrix rows must have equal length (row 1 has " + std::to_string(cols) + " entries, row " +
                          std::to_string(r + 1) + " has " + std::to_string(row.as_list().size()) + ")");
          for (const Value& e : row.as_list()) expect(e.is_number(), e, "a number in the matrix");
        }
        break;
      }
      case OptionType::StringList:
        expect(v.is_list(), v, "a list of strings");
        for (const Value& e : v.as_list()) {
          expect(e.is_string(), e, "a string in the list");
          check_choice(e);
        }
        break;
      case OptionType::Table: expect(v.is_table(), v, "a table"); break;
      case OptionType::Reference:
        expect(is_reference_value(v), v,
               "a reference to a " + std::string(kind_name(*spec_.reference_kind)) +
                   ": \"@name\", \"library.component\" or { plugin = \"library.component\", ... }");
        break;
      case OptionType::ReferenceList:
        expect(v.is_list(), v, "a list of references");
        for (const Value& e : v.as_list())
          expect(is_reference_value(e), e,
                 "a reference to a " + std::string(kind_name(*spec_.reference_kind)) +
                     ": \"@name\", \"library.component\" or { plugin = \"library.component\", ... }");
        break;
      case OptionType::File: expect(v.is_string() && !v.as_string().empty(), v, "a file name"); break;
      case OptionType::Any: break;
    }
  }

 private:
  void expect(bool ok, const Value& v, const std::string& what) const {
    if (!ok) fail(v, "expected " + what + ", found " + describe(v));
  }
  static std::string describe(const Value& v) {
    if (v.is_string()) return "the string \"" + v.as_string() + "\"";
    if (v.is_number()) return Value::type_name(v.type()) + std::string(" (") + number_string(v.as_real()) + ")";
    return Value::type_name(v.type());
  }
  void check_range(double x, const Value& v) const {
    if (std::isnan(x)) fail(v, "value is NaN");
    if (spec_.minimum && (x < *spec_.minimum || (spec_.exclusive_minimum && x == *spec_.minimum)))
      fail(v, "value " + number_string(x) + (spec_.exclusive_minimum ? " must be greater than " : " is below the minimum ") +
                  number_string(*spec_.minimum));
    if (spec_.maximum && (x > *spec_.maximum || (spec_.exclusive_maximum && x == *spec_.maximum)))
      fail(v, "value " + number_string(x) + (spec_.exclusive_maximum ? " must be less than " : " is above the maximum ") +
                  number_string(*spec_.maximum));
  }
  void check_choice(const Value& v) const {
    if (spec_.choices.empty()) return;
    if (std::find(spec_.choices.begin(), spec_.choices.end(), v.as_string()) != spec_.choices.end()) return;
    std::string list;
    for (const auto& c : spec_.choices) list += (list.empty() ? "" : ", ") + ("\"" + c + "\"");
    fail(v, "\"" + v.as_string() + "\" is not one of " + list + did_you_mean(v.as_string(), spec_.choices));
  }
  [[noreturn]] void fail(const Value& v, const std::string& message) const {
    throw ConfigError(v.where(), prefix_ + ", option '" + spec_.key + "': " + message);
  }

  const OptionSpec& spec_;
  std::string prefix_;
};

}  // namespace

bool is_reference_value(const Value& v) {
  if (v.is_string()) {
    const std::string& s = v.as_string();
    if (s.size() > 1 && s.front() == '@') return true;
    const auto dot = s.find('.');
    return dot != std::string::npos && dot > 0 && dot + 1 < s.size();
  }
  if (v.is_table()) {
    const Value* p = v.find(kPluginKey);
    return p && p->is_string();
  }
  return false;
}

Value check_options(const Value& options, const Schema& schema, const std::string& instance, const std::string& plugin,
                    const std::filesystem::path& base_dir, const std::vector<std::string>& extra_allowed) {
  const std::string prefix = "component '" + instance + "' (" + plugin + ")";
  if (!options.is_table()) throw ConfigError(options.where(), prefix + ": options must be a table");

  std::vector<std::string> known;
  for (const auto& spec : schema) known.push_back(spec.key);

  for (const auto& [key, value] : options.as_table()) {
    if (std::find(extra_allowed.begin(), extra_allowed.end(), key) != extra_allowed.end()) continue;
    const auto it = std::find_if(schema.begin(), schema.end(), [&key = key](const OptionSpec& s) { return s.key == key; });
    if (it == schema.end()) {
      std::string hint = did_you_mean(key, known);
      if (hint.empty()) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        hint = known.empty() ? " (it takes no options)" : " (known options: " + list + ")";
      }
      throw ConfigError(value.where(), prefix + ": unknown option '" + key + "'" + hint);
    }
    OptionChecker(*it, prefix).check(value);
  }

  Value out = options;
  for (const auto& spec : schema) {
    if (out.find(spec.key)) continue;
    if (spec.required)
      throw ConfigError(options.where(), prefix + ": missing required option '" + spec.key + "' (" +
                                             option_type_name(spec.type) +
                                             (spec.documentation.empty() ? "" : ": " + spec.documentation) + ")");
    if (spec.default_value) {
      Value d = *spec.default_value;
      d.set_where(options.where());
      out.as_table().emplace_back(spec.key, std::move(d));
    }
  }
  // File options, defaults included, resolve against the config's folder.
  for (const auto& spec : schema) {
    if (spec.type != OptionType::File) continue;
    Value* v = out.find(spec.key);
    if (!v) continue;
    std::filesystem::path p = v->as_string();
    if (p.is_relative()) p = base_dir / p;
    std::error_code ec;
    if (!std::filesystem::exists(p, ec))
      throw ConfigError(v->where(), prefix + ", option '" + spec.key + "': file not found: " + p.string());
    *v = Value(std::filesystem::absolute(p).lexically_normal().string(), v->where());
  }
  return out;
}

}  // namespace orrery::kernel
