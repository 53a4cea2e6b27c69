// Checks on option values that a Schema cannot express (finiteness, strict
// positivity), reported through Options::error so messages carry the file,
// line, component and key.
#pragma once

#include <cmath>
#include <sstream>
#include <string>
#include <string_view>

#include <orrery/options.hpp>

namespace orrery::core {

/// A number as a user would write it ("0.1", "1e-12", "inf").
inline std::string format_real(double value) {
  std::ostringstream out;
  out.precision(10);
  out << value;
  return out.str();
}

/// The real option `key`, which must be finite.
inline double finite_real(const Options& options, std::string_view key) {
  const double value = options.real(key);
  if (!std::isfinite(value)) options.error(key, "must be a finite number, found " + format_real(value));
  return value;
}

/// The real option `key`, which must be finite and strictly positive.
inline double positive_real(const Options& options, std::string_view key) {
  const double value = finite_real(options, key);
  if (!(value > 0.0)) options.error(key, "must be > 0, found " + format_real(value));
  return value;
}

}  // namespace orrery::core
