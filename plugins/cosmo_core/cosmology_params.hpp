// CosmologyParams<S>: the parameters every cosmology routine takes, generic in
// the scalar type S (double, or a Dual for derivatives; see dual.hpp).
//
// The eight differentiable parameters are listed in `Param`, in the order used
// for gradients, Jacobians and Fisher matrices. Physical settings that are
// never differentiated (CMB temperature, massless neutrino species) are plain
// doubles.
#pragma once

#include <array>
#include <string_view>

namespace orrery::cosmo {

enum class Param { omega_c, omega_b, h, n_s, sigma8, omega_k, w0, wa };
inline constexpr int kParamCount = 8;
inline constexpr std::array<std::string_view, kParamCount> kParamNames = {
    "omega_c", "omega_b", "h", "n_s", "sigma8", "omega_k", "w0", "wa"};

template <typename S>
struct CosmologyParams {
  S omega_c = 0.25;  ///< cold dark matter density today, Ω_c
  S omega_b = 0.05;  ///< baryon density today, Ω_b
  S h = 0.7;         ///< H0 / (100 km/s/Mpc)
  S n_s = 0.96;      ///< primordial spectral index
  S sigma8 = 0.8;    ///< rms linear density in 8 Mpc/h spheres at z = 0
  S omega_k = 0.0;   ///< curvature density today, Ω_k (> 0 open)
  S w0 = -1.0;       ///< CPL dark energy: w(a) = w0 + wa (1 - a)
  S wa = 0.0;
  double T_cmb = 2.7255;  ///< K; photons contribute radiation unless 0
  double N_eff = 3.046;   ///< massless neutrino species (radiation); 0 for none

  /// Parameter p by enum, for generic loops.
  S& operator[](Param p) {
    switch (p) {
      case Param::omega_c: return omega_c;
      case Param::omega_b: return omega_b;
      case Param::h: return h;
      case Param::n_s: return n_s;
      case Param::sigma8: return sigma8;
      case Param::omega_k: return omega_k;
      case Param::w0: return w0;
      case Param::wa: return wa;
    }
    return omega_c;
  }
  const S& operator[](Param p) const { return const_cast<CosmologyParams&>(*this)[p]; }
};

}  // namespace orrery::cosmo
