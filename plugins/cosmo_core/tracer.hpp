// Tracer: what is observed in one tomographic bin.
//
//  * Shear (cosmic shear, spin 2): lensing by matter along the line of sight,
//    optionally with multiplicative shear bias m (signal × (1 + m)) and
//    intrinsic alignments in the NLA model: an extra kernel
//    -A_IA C1 ρ_crit Ω_m / D(z) · ((1+z)/(1+z_pivot))^η · n(z) H(z)/c
//    (C1 ρ_crit ≈ 0.01388 as in CCL, see constants.hpp; D(0) = 1).
//  * Counts (galaxy number counts): n(z) H(z)/c times a linear bias b(z),
//    constant or tabulated on the n(z) grid.
//
// Tracers are inputs (not differentiated), except that their kernels depend
// on cosmology through distances and growth, which Limber computes in S.
#pragma once

#include <string>
#include <vector>

#include "cosmo_core/redshift_distribution.hpp"

namespace orrery::cosmo {

struct Tracer {
  enum class Kind { Shear, Counts };

  Kind kind = Kind::Shear;
  RedshiftDistribution nz = RedshiftDistribution::delta(1.0);
  // Shear
  double multiplicative_bias = 0.0;  ///< m: signal scaled by (1 + m)
  double ia_amplitude = 0.0;         ///< A_IA; 0 disables intrinsic alignments
  double ia_eta = 0.0;               ///< redshift dependence ((1+z)/(1+z_pivot))^η
  double ia_z_pivot = 0.62;
  // Counts
  double bias = 1.0;                 ///< linear galaxy bias, if bias_z is empty
  std::vector<double> bias_z;        ///< b(z) at the n(z) grid points (optional)
  double number_density_arcmin2 = 0.0;  ///< n̄ for noise, galaxies/arcmin² (0: noiseless)
  double sigma_e = 0.26;             ///< per-component shape dispersion (shear noise)

  static Tracer shear(RedshiftDistribution nz) {
    Tracer t;
    t.kind = Kind::Shear;
    t.nz = std::move(nz);
    return t;
  }
  static Tracer counts(RedshiftDistribution nz, double b = 1.0) {
    Tracer t;
    t.kind = Kind::Counts;
    t.nz = std::move(nz);
    t.bias = b;
    return t;
  }
};

}  // namespace orrery::cosmo
