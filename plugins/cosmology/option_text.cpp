#include "option_text.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <orrery/suggest.hpp>

namespace orrery::cosmology {

std::string format_real(double value) {
  std::ostringstream out;
  out.precision(10);
  out << value;
  return out.str();
}

void fail_at(const Options& options, std::string_view key, const Value& value, const std::string& path,
             const std::string& message) {
  const SourceLocation where = value.where().known() ? value.where() : options.location(key);
  throw ConfigError(where, "component '" + options.owner() + "', option '" + path + "': " + message);
}

void check_keys(const Options& options, std::string_view key, const Value& value, const std::string& path,
                const std::vector<std::string>& allowed) {
  for (const auto& [name, entry] : value.as_table()) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    std::string known;
    for (const std::string& a : allowed) known += (known.empty() ? "" : ", ") + a;
    fail_at(options, key, entry, path, "unknown key '" + name + "'" + did_you_mean(name, allowed) + "; keys: " + known);
  }
}

double finite_number(const Options& options, std::string_view key, const Value& value, const std::string& path) {
  if (!value.is_number())
    fail_at(options, key, value, path, std::string("expected a number, found ") + Value::type_name(value.type()));
  const double x = value.as_real();
  if (!std::isfinite(x)) fail_at(options, key, value, path, "must be a finite number, found " + format_real(x));
  return x;
}

}  // namespace orrery::cosmology
