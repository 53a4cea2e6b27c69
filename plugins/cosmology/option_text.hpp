// Small helpers for reading nested option values (the entries of `tracers`,
// the `ell` table) and reporting problems in them: numbers as a user would
// write them, and ConfigErrors located at the nested value with the option
// path ("tracers[0].nz.smail"), with the SDK's did-you-mean suggestions
// (orrery/suggest.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <orrery/error.hpp>
#include <orrery/options.hpp>
#include <orrery/value.hpp>

namespace orrery::cosmology {

/// A number as a user would write it ("0.1", "1e-12", "inf").
std::string format_real(double value);

/// Throws a ConfigError located at `value` (falling back to the option
/// `key`), naming the component and the option path `path`.
[[noreturn]] void fail_at(const Options& options, std::string_view key, const Value& value, const std::string& path,
                          const std::string& message);

/// Checks that every key of table `value` is in `allowed`; an unknown key is
/// reported with a suggestion and the list of allowed keys.
void check_keys(const Options& options, std::string_view key, const Value& value, const std::string& path,
                const std::vector<std::string>& allowed);

/// A finite number at `value` (integers accepted).
double finite_number(const Options& options, std::string_view key, const Value& value, const std::string& path);

}  // namespace orrery::cosmology
