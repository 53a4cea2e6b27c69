// EllBinning: the multipoles at which C_ell is predicted, and the width of
// the band of multipoles each one stands for (used by the Gaussian covariance,
// which counts (2 ell + 1) Δell f_sky modes per entry).
//
// The `ell` option accepts
//   { log = [min, max, n] }       n values spaced geometrically from min to max, both included
//   { linear = [min, max, n] }    n values spaced evenly from min to max, both included
//   [l1, l2, ...]                 the values themselves, strictly increasing
// The two tables take `round = true` to round each value to the nearest
// integer (duplicates are then dropped); by default the values are kept as
// they are (non-integer multipoles are fine for Limber spectra and band
// centres). Band widths follow numpy.gradient (as jax-cosmo's Gaussian
// covariance does): Δell_i = (ell_{i+1} - ell_{i-1})/2 inside, the one-sided
// difference at both ends, and 1 for a single multipole; so a list of
// consecutive integers has Δell = 1.
#pragma once

#include <string_view>
#include <vector>

#include <orrery/options.hpp>

namespace orrery::cosmology {

struct EllBinning {
  std::vector<double> ell;        ///< multipoles, strictly increasing
  std::vector<double> delta_ell;  ///< band width of each, > 0
};

/// Reads option `key` (see above); every multipole must be >= minimum_ell.
EllBinning parse_ell_option(const Options& options, std::string_view key, double minimum_ell);

/// Band widths of increasing multipoles by the numpy.gradient rule above.
std::vector<double> band_widths(const std::vector<double>& ell);

}  // namespace orrery::cosmology
