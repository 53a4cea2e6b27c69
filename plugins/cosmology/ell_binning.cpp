#include "ell_binning.hpp"

#include <cmath>
#include <string>

#include "option_text.hpp"

namespace orrery::cosmology {

std::vector<double> band_widths(const std::vector<double>& ell) {
  const std::size_t n = ell.size();
  std::vector<double> out(n, 1.0);
  if (n < 2) return out;
  out[0] = ell[1] - ell[0];
  out[n - 1] = ell[n - 1] - ell[n - 2];
  for (std::size_t i = 1; i + 1 < n; ++i) out[i] = 0.5 * (ell[i + 1] - ell[i - 1]);
  return out;
}

EllBinning parse_ell_option(const Options& options, std::string_view key, double minimum_ell) {
  const Value& spec = options.at(key);
  const std::string name(key);
  std::vector<double> ell;
  const char* hint = "expected { log = [min, max, n] }, { linear = [min, max, n] } or a list of multipoles";
  if (spec.is_list()) {
    const ValueList& list = spec.as_list();
    if (list.empty()) options.error(key, "the list of multipoles is empty");
    for (std::size_t i = 0; i < list.size(); ++i)
      ell.push_back(finite_number(options, key, list[i], name + "[" + std::to_string(i) + "]"));
  } else if (spec.is_table()) {
    check_keys(options, key, spec, name, {"log", "linear", "round"});
    const Value* log_spec = spec.find("log");
    const Value* linear_spec = spec.find("linear");
    if ((log_spec != nullptr) == (linear_spec != nullptr))
      options.error(key, "give exactly one of `log = [min, max, n]` and `linear = [min, max, n]`");
    const Value& range = log_spec != nullptr ? *log_spec : *linear_spec;
    const std::string path = name + (log_spec != nullptr ? ".log" : ".linear");
    if (!range.is_list() || range.as_list().size() != 3)
      fail_at(options, key, range, path, "expected three numbers [min, max, n]");
    const ValueList& v = range.as_list();
    const double lo = finite_number(options, key, v[0], path + "[0]");
    const double hi = finite_number(options, key, v[1], path + "[1]");
    const double count = v[2].is_number() ? v[2].as_real() : 0.0;
    if (!(count >= 1.0 && count <= 1e6) || count != std::floor(count))
      fail_at(options, key, v[2], path + "[2]", "the number of multipoles must be a whole number from 1 to 1000000");
    const auto n = static_cast<std::size_t>(count);
    if (!(lo > 0.0)) fail_at(options, key, v[0], path + "[0]", "min must be > 0, found " + format_real(lo));
    if (n > 1 && !(hi > lo))
      fail_at(options, key, v[1], path + "[1]",
              "max must be greater than min = " + format_real(lo) + ", found " + format_real(hi));
    if (n == 1 && hi != lo)
      fail_at(options, key, v[2], path + "[2]", "a single multipole needs min = max");
    for (std::size_t i = 0; i < n; ++i) {
      const double t = n > 1 ? static_cast<double>(i) / static_cast<double>(n - 1) : 0.0;
      double x = log_spec != nullptr ? lo * std::pow(hi / lo, t) : lo + (hi - lo) * t;
      if (i == n - 1) x = hi;  // exactly max, whatever the rounding of pow
      ell.push_back(x);
    }
    if (const Value* round = spec.find("round")) {
      if (!round->is_bool()) fail_at(options, key, *round, name + ".round", "expected true or false");
      if (round->as_bool()) {
        std::vector<double> rounded;
        for (double x : ell) {
          const double r = std::round(x);
          if (rounded.empty() || r > rounded.back()) rounded.push_back(r);
        }
        ell = std::move(rounded);
      }
    }
  } else {
    options.error(key, std::string(hint) + ", found " + Value::type_name(spec.type()));
  }
  for (std::size_t i = 0; i < ell.size(); ++i) {
    if (ell[i] < minimum_ell)
      options.error(key, "multipoles must be >= " + format_real(minimum_ell) +
                             (minimum_ell >= 2 ? " (the shear spectrum vanishes below ell = 2)" : "") + ", found " +
                             format_real(ell[i]));
    if (i > 0 && !(ell[i] > ell[i - 1]))
      options.error(key, "multipoles must increase strictly, found " + format_real(ell[i]) + " after " +
                             format_real(ell[i - 1]));
  }
  return {ell, band_widths(ell)};
}

}  // namespace orrery::cosmology
