#include "tracer_options.hpp"

#include <cmath>
#include <filesystem>
#include <system_error>

#include <orrery/suggest.hpp>

#include "cosmo_core/gaussian_covariance.hpp"
#include "cosmo_core/redshift_distribution.hpp"
#include "option_text.hpp"

namespace orrery::cosmology {
namespace {

namespace fs = std::filesystem;
using cosmo::RedshiftDistribution;
using cosmo::Tracer;

/// True for the location of a config file (not a `--set` override, not unknown).
bool is_config_file(const SourceLocation& where) { return where.known() && where.file.rfind("--set", 0) != 0; }

/// A path from the config: relative paths are taken from the folder of the
/// config file, as the kernel does for `file` options: the file the value was
/// written in, or for a `--set` override the file of the component's table
/// (the current folder if neither is known).
fs::path resolve_path(const Options& options, const Value& value) {
  fs::path path = value.as_string();
  if (path.is_relative()) {
    if (is_config_file(value.where())) {
      path = fs::path(value.where().file).parent_path() / path;
    } else if (is_config_file(options.raw().where())) {
      path = fs::path(options.raw().where().file).parent_path() / path;
    }
  }
  return fs::absolute(path).lexically_normal();
}

/// `count` numbers from a number (repeated) or a list of exactly `count`.
std::vector<double> per_bin(const Options& options, std::string_view key, const Value& value, const std::string& path,
                            int count) {
  if (value.is_list()) {
    const ValueList& list = value.as_list();
    if (static_cast<int>(list.size()) != count)
      fail_at(options, key, value, path,
              "expected one number or one per bin (" + std::to_string(count) + "), found a list of " +
                  std::to_string(list.size()));
    std::vector<double> out;
    for (std::size_t i = 0; i < list.size(); ++i)
      out.push_back(finite_number(options, key, list[i], path + "[" + std::to_string(i) + "]"));
    return out;
  }
  return std::vector<double>(static_cast<std::size_t>(count), finite_number(options, key, value, path));
}

/// A list of exactly `n` finite numbers.
std::vector<double> numbers(const Options& options, std::string_view key, const Value& value, const std::string& path,
                            std::size_t n, const std::string& what) {
  if (!value.is_list() || value.as_list().size() != n) fail_at(options, key, value, path, "expected " + what);
  std::vector<double> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(finite_number(options, key, value.as_list()[i], path + "[" + std::to_string(i) + "]"));
  return out;
}

RedshiftDistribution parse_nz(const Options& options, std::string_view key, const Value& nz, const std::string& path) {
  if (!nz.is_table())
    fail_at(options, key, nz, path,
            "expected a table: { smail = [alpha, beta, z0] }, { gaussian = [mean, sigma] }, { file = \"path\" } "
            "or { delta = z }");
  check_keys(options, key, nz, path, {"smail", "gaussian", "file", "delta"});
  if (nz.as_table().size() != 1)
    fail_at(options, key, nz, path, "give exactly one of smail, gaussian, file and delta");
  const auto& [kind, value] = nz.as_table().front();
  const std::string sub = path + "." + kind;
  try {
    if (kind == "smail") {
      const auto v = numbers(options, key, value, sub, 3, "[alpha, beta, z0]");
      if (!(v[0] >= 0.0)) fail_at(options, key, value, sub, "alpha must be >= 0, found " + format_real(v[0]));
      if (!(v[1] > 0.0)) fail_at(options, key, value, sub, "beta must be > 0, found " + format_real(v[1]));
      if (!(v[2] > 0.0)) fail_at(options, key, value, sub, "z0 must be > 0, found " + format_real(v[2]));
      return RedshiftDistribution::smail(v[0], v[1], v[2]);
    }
    if (kind == "gaussian") {
      const auto v = numbers(options, key, value, sub, 2, "[mean, sigma]");
      if (!(v[0] > 0.0)) fail_at(options, key, value, sub, "mean must be > 0, found " + format_real(v[0]));
      if (!(v[1] > 0.0)) fail_at(options, key, value, sub, "sigma must be > 0, found " + format_real(v[1]));
      return RedshiftDistribution::gaussian(v[0], v[1]);
    }
    if (kind == "delta") {
      const double z = finite_number(options, key, value, sub);
      if (!(z > 0.0)) fail_at(options, key, value, sub, "the source redshift must be > 0, found " + format_real(z));
      return RedshiftDistribution::delta(z);
    }
    // file
    if (!value.is_string() || value.as_string().empty())
      fail_at(options, key, value, sub, "expected the path of a text file with columns z and n(z)");
    const fs::path file = resolve_path(options, value);
    std::error_code ec;
    if (!fs::exists(file, ec)) fail_at(options, key, value, sub, "n(z) file '" + file.string() + "' does not exist");
    if (!fs::is_regular_file(file, ec))
      fail_at(options, key, value, sub, "n(z) path '" + file.string() + "' is not a regular file");
    return RedshiftDistribution::from_file(file);
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& e) {
    fail_at(options, key, value, sub, e.what());
  }
}

}  // namespace

TracerSet parse_tracers(const Options& options, std::string_view key) {
  const Value& list = options.at(key);
  const std::string name(key);
  if (!list.is_list() || list.as_list().empty())
    options.error(key, "expected a non-empty list of tracer tables, e.g. [{ kind = \"shear\", nz = { smail = [2.0, "
                       "1.5, 0.3] }, bins = 5, n_eff = 10.0 }]");
  TracerSet out;
  int shear_count = 0, counts_count = 0;
  for (std::size_t e = 0; e < list.as_list().size(); ++e) {
    const Value& entry = list.as_list()[e];
    const std::string path = name + "[" + std::to_string(e) + "]";
    if (!entry.is_table()) fail_at(options, key, entry, path, "expected a table such as { kind = \"shear\", nz = ... }");
    check_keys(options, key, entry, path,
               {"kind", "nz", "bins", "photoz_sigma", "n_eff", "sigma_e", "m", "ia", "bias"});

    const Value* kind_value = entry.find("kind");
    if (kind_value == nullptr) fail_at(options, key, entry, path, "missing `kind` (\"shear\" or \"counts\")");
    if (!kind_value->is_string() || (kind_value->as_string() != "shear" && kind_value->as_string() != "counts")) {
      std::string message = "kind must be \"shear\" or \"counts\"";
      if (kind_value->is_string())
        message += ", found \"" + kind_value->as_string() + "\"" + did_you_mean(kind_value->as_string(), {"shear", "counts"});
      fail_at(options, key, *kind_value, path + ".kind", message);
    }
    const bool shear = kind_value->as_string() == "shear";
    for (const char* only_shear : {"sigma_e", "m", "ia"})
      if (!shear && entry.find(only_shear) != nullptr)
        fail_at(options, key, *entry.find(only_shear), path + "." + only_shear, "applies to shear tracers only");
    if (shear && entry.find("bias") != nullptr)
      fail_at(options, key, *entry.find("bias"), path + ".bias", "applies to counts tracers only");

    const Value* nz_value = entry.find("nz");
    if (nz_value == nullptr) fail_at(options, key, entry, path, "missing `nz`, e.g. nz = { smail = [2.0, 1.5, 0.3] }");
    const RedshiftDistribution parent = parse_nz(options, key, *nz_value, path + ".nz");

    int bins = 1;
    if (const Value* b = entry.find("bins")) {
      if (!b->is_integer() || b->as_integer() < 1 || b->as_integer() > 100)
        fail_at(options, key, *b, path + ".bins", "expected an integer from 1 to 100");
      bins = static_cast<int>(b->as_integer());
    }
    double photoz = 0.0;
    if (const Value* s = entry.find("photoz_sigma")) {
      photoz = finite_number(options, key, *s, path + ".photoz_sigma");
      if (photoz < 0.0) fail_at(options, key, *s, path + ".photoz_sigma", "must be >= 0, found " + format_real(photoz));
    }
    if (parent.is_delta()) {
      if (!shear) fail_at(options, key, *nz_value, path + ".nz", "number counts need an extended n(z), not a delta");
      if (bins != 1) fail_at(options, key, *entry.find("bins"), path + ".bins", "a delta n(z) cannot be split into bins");
      if (photoz > 0.0)
        fail_at(options, key, *entry.find("photoz_sigma"), path + ".photoz_sigma",
                "a delta n(z) (a single source plane) takes no photo-z scatter");
    }
    double n_eff = 0.0;
    if (const Value* n = entry.find("n_eff")) {
      n_eff = finite_number(options, key, *n, path + ".n_eff");
      if (n_eff < 0.0) fail_at(options, key, *n, path + ".n_eff", "must be >= 0 galaxies/arcmin², found " + format_real(n_eff));
    }
    double sigma_e = 0.26;
    if (const Value* s = entry.find("sigma_e")) {
      sigma_e = finite_number(options, key, *s, path + ".sigma_e");
      if (sigma_e < 0.0) fail_at(options, key, *s, path + ".sigma_e", "must be >= 0, found " + format_real(sigma_e));
    }
    std::vector<double> m(static_cast<std::size_t>(bins), 0.0);
    if (const Value* v = entry.find("m")) {
      m = per_bin(options, key, *v, path + ".m", bins);
      for (double x : m)
        if (!(x > -1.0)) fail_at(options, key, *v, path + ".m", "multiplicative bias must be > -1, found " + format_real(x));
    }
    std::vector<double> bias(static_cast<std::size_t>(bins), 1.0);
    if (const Value* v = entry.find("bias")) bias = per_bin(options, key, *v, path + ".bias", bins);
    double ia_amplitude = 0.0, ia_eta = 0.0, ia_pivot = 0.62;
    if (const Value* ia = entry.find("ia")) {
      const std::string ia_path = path + ".ia";
      if (!ia->is_table()) fail_at(options, key, *ia, ia_path, "expected { amplitude = A, eta = 0.0, z_pivot = 0.62 }");
      check_keys(options, key, *ia, ia_path, {"amplitude", "eta", "z_pivot"});
      const Value* a = ia->find("amplitude");
      if (a == nullptr) fail_at(options, key, *ia, ia_path, "missing `amplitude`");
      ia_amplitude = finite_number(options, key, *a, ia_path + ".amplitude");
      if (const Value* x = ia->find("eta")) ia_eta = finite_number(options, key, *x, ia_path + ".eta");
      if (const Value* x = ia->find("z_pivot")) {
        ia_pivot = finite_number(options, key, *x, ia_path + ".z_pivot");
        if (!(ia_pivot > -1.0)) fail_at(options, key, *x, ia_path + ".z_pivot", "must be > -1");
      }
      if (ia_amplitude != 0.0 && parent.is_delta())
        fail_at(options, key, *ia, ia_path, "intrinsic alignments need an extended n(z), not a delta");
    }

    std::vector<RedshiftDistribution> distributions;
    try {
      if (bins == 1 && photoz == 0.0) {
        distributions.push_back(parent);
      } else {
        distributions = RedshiftDistribution::tomographic_bins(parent, bins, photoz);
      }
    } catch (const Error& err) {
      fail_at(options, key, *nz_value, path + ".nz", std::string("cannot split into bins: ") + err.what());
    }

    const double n_per_bin_sr = cosmo::per_arcmin2_to_per_sr(n_eff / bins);
    for (int b = 0; b < bins; ++b) {
      const auto ub = static_cast<std::size_t>(b);
      Tracer t = shear ? Tracer::shear(distributions[ub]) : Tracer::counts(distributions[ub], bias[ub]);
      t.number_density_arcmin2 = n_eff / bins;
      t.sigma_e = sigma_e;
      if (shear) {
        t.multiplicative_bias = m[ub];
        t.ia_amplitude = ia_amplitude;
        t.ia_eta = ia_eta;
        t.ia_z_pivot = ia_pivot;
      }
      out.tracers.push_back(std::move(t));
      out.names.push_back(shear ? "shear" + std::to_string(shear_count++) : "counts" + std::to_string(counts_count++));
      out.noise.push_back(n_eff > 0.0 ? (shear ? sigma_e * sigma_e : 1.0) / n_per_bin_sr : 0.0);
    }
    out.any_shear = out.any_shear || shear;
  }
  return out;
}

}  // namespace orrery::cosmology
