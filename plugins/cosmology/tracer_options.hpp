// The `tracers` option of cosmology.limber_cl: a list of tables, each giving
// one kind of observable and its tomographic bins.
//
//   { kind = "shear", nz = { smail = [alpha, beta, z0] }, bins = 5, photoz_sigma = 0.05,
//     n_eff = 10.0, sigma_e = 0.26, m = [0.0, ...], ia = { amplitude = 1.0, eta = 0.0, z_pivot = 0.62 } }
//   { kind = "counts", nz = { gaussian = [mean, sigma] }, bins = 3, n_eff = 1.0, bias = [1.2, 1.4, 1.6] }
//
//   kind          "shear" (cosmic shear) or "counts" (galaxy number counts); required
//   nz            the parent n(z), exactly one of
//                   { smail = [alpha, beta, z0] }   n ∝ z^alpha exp(-(z/z0)^beta)
//                   { gaussian = [mean, sigma] }
//                   { file = "path" }              two columns z, n(z); a relative path is
//                                                  taken from the config file's folder
//                   { delta = z }                  a single source plane (shear only, one bin)
//   bins          equal-number tomographic bins of the parent (default 1: the parent itself)
//   photoz_sigma  Gaussian photo-z scatter σ_z (1 + z) applied to each bin (default 0)
//   n_eff         galaxies per arcmin² in total, split equally over the bins (default 0: no noise)
//   sigma_e       per-component shape dispersion (shear; default 0.26)
//   m             multiplicative shear bias, one number or one per bin (default 0)
//   ia            NLA intrinsic alignments { amplitude, eta = 0, z_pivot = 0.62 } (shear)
//   bias          linear galaxy bias, one number or one per bin (counts; default 1)
//
// Tracers are numbered in the order written, bins within an entry in
// increasing redshift; each is named <kind><i> with i counting per kind
// ("shear0", "shear1", ..., "counts0").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <orrery/options.hpp>

#include "cosmo_core/tracer.hpp"

namespace orrery::cosmology {

struct TracerSet {
  std::vector<cosmo::Tracer> tracers;
  std::vector<std::string> names;  ///< "shear0", "counts1", ...
  std::vector<double> noise;       ///< noise power N_a per steradian: σ_e²/n (shear), 1/n (counts); 0 if noiseless
  bool any_shear = false;
};

/// Reads and checks option `key`; unreadable, negative or empty n(z) files
/// and every other problem are ConfigErrors located at the offending value.
TracerSet parse_tracers(const Options& options, std::string_view key);

}  // namespace orrery::cosmology
