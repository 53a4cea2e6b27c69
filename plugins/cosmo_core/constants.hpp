// Physical constants and the radiation densities derived from them.
//
// SI values: CODATA 2018 (c, G, σ_SB are exact or recommended values), the
// parsec from the IAU 2015 definition (648000/π au, au = 149 597 870 700 m).
// The photon density is computed from T_cmb through σ_SB, c and G rather than
// hard-coded, so it stays consistent with the critical density used here.
#pragma once

#include <cmath>
#include <numbers>

namespace orrery::cosmo {

inline constexpr double kSpeedOfLightKmS = 299792.458;        ///< c, km/s (exact)
inline constexpr double kSpeedOfLightMS = 299792458.0;        ///< c, m/s (exact)
inline constexpr double kGravitationalConstant = 6.67430e-11; ///< G, m^3 kg^-1 s^-2
inline constexpr double kStefanBoltzmann = 5.670374419e-8;    ///< σ_SB, W m^-2 K^-4
inline constexpr double kParsecM = 3.0856775814913673e16;     ///< pc, m
inline constexpr double kMpcM = 1e6 * kParsecM;               ///< Mpc, m
/// Hubble distance for h = 1, c / (100 km/s/Mpc), in Mpc.
inline constexpr double kHubbleDistanceMpcH = kSpeedOfLightKmS / 100.0;

/// Critical density for h = 1, 3 H100^2 / (8 π G), in kg/m^3 (H100 = 100 km/s/Mpc in s^-1).
inline double critical_density_h2() {
  const double h100 = 1e5 / kMpcM;  // s^-1
  return 3.0 * h100 * h100 / (8.0 * std::numbers::pi * kGravitationalConstant);
}

/// Ω_γ h²: photon density today for a black body at T_cmb (K), ρ_γ = 4 σ_SB T^4 / c^3.
/// About 2.47e-5 for T_cmb = 2.7255 K; 0 for T_cmb = 0.
inline double omega_gamma_h2(double T_cmb) {
  const double t2 = T_cmb * T_cmb;
  const double rho_gamma = 4.0 * kStefanBoltzmann * t2 * t2 /
                           (kSpeedOfLightMS * kSpeedOfLightMS * kSpeedOfLightMS);  // kg/m^3
  return rho_gamma / critical_density_h2();
}

/// Solar mass in kg, from the IAU 2015 nominal GM_sun and CODATA 2018 G (as CCL).
inline constexpr double kSolarMassKg = 1.3271244e20 / kGravitationalConstant;

/// C1 ρ_crit of the NLA intrinsic-alignment model: C1 = 5e-14 h⁻² M_sun⁻¹ Mpc³
/// (Brown et al. 2002) times the critical density for h = 1 in h² M_sun Mpc⁻³;
/// about 0.01388 (CCL's convention; some codes round it to 0.0134).
inline double ia_c1_rho_crit() {
  return 5e-14 * critical_density_h2() * kMpcM * kMpcM * kMpcM / kSolarMassKg;
}

/// Energy density of one massless neutrino species relative to photons,
/// (7/8) (4/11)^{4/3} (instantaneous decoupling; N_eff absorbs the rest).
inline double neutrino_to_photon_density_per_species() {
  return 7.0 / 8.0 * std::pow(4.0 / 11.0, 4.0 / 3.0);
}

/// Ω_r h²: photons plus N_eff massless neutrino species,
/// Ω_ν = Ω_γ N_eff (7/8)(4/11)^{4/3}.
inline double omega_radiation_h2(double T_cmb, double N_eff) {
  return omega_gamma_h2(T_cmb) * (1.0 + N_eff * neutrino_to_photon_density_per_species());
}

}  // namespace orrery::cosmo
