// Fitting formulae for the matter transfer function T(k), generic in the
// scalar type S (double or Dual, see dual.hpp):
//   EisensteinHuTransfer<S>          Eisenstein & Hu (1998, ApJ 496, 605), with baryon wiggles
//   EisensteinHuNoWiggleTransfer<S>  the same paper's zero-baryon-oscillation form (its sec. 4.2)
//   BbksTransfer<S>                  Bardeen, Bond, Kaiser & Szalay (1986) with Sugiyama's (1995)
//                                    baryon correction of the shape parameter
//
// Units: every k here is a physical wavenumber in 1/Mpc (no h); h comes from
// the parameters. The k argument may be a double (fixed k) or an S (e.g.
// k = k_h · h when the caller works in h/Mpc). T(k → 0) = 1; T is dimensionless.
//
// Each class evaluates the k-independent coefficients once in its constructor,
// so a call costs only the k-dependent part (a handful of log/pow/exp).
//
// Eisenstein & Hu conventions follow the authors' public code (tf_fit.c), which
// CCL also uses: the eq.-2 fit 2.5e4 ω_m Θ^-4 is taken to be 1+z_eq, and R_d is
// evaluated at 1+z_d. (Reading the paper literally, with z_d and y = (1+z_eq)/(1+z_d),
// shifts the BAO phase and changes P(k) by up to ~1e-4.)
#pragma once

#include <cmath>
#include <numbers>

#include "cosmo_core/cosmology_params.hpp"

namespace orrery::cosmo {

/// Eisenstein & Hu (1998) transfer function of CDM + baryons with acoustic
/// oscillations (their eqs. 2–24). Massive neutrinos are not included.
template <typename S>
class EisensteinHuTransfer {
 public:
  explicit EisensteinHuTransfer(const CosmologyParams<S>& p) {
    using std::cbrt, std::log, std::pow, std::sqrt;
    const S omega_m = p.omega_c + p.omega_b;
    const S omh2 = omega_m * p.h * p.h;  // ω_m = Ω_m h²
    const S obh2 = p.omega_b * p.h * p.h;
    const double theta = p.T_cmb / 2.7;
    const double theta2 = theta * theta, theta4 = theta2 * theta2;
    f_b_ = p.omega_b / omega_m;
    f_c_ = p.omega_c / omega_m;

    const S one_plus_z_eq = 2.5e4 * omh2 / theta4;  // eq. 2 (1+z_eq, see header)
    k_eq_ = 0.0746 * omh2 / theta2;                  // eq. 3, 1/Mpc
    const S b1 = 0.313 * pow(omh2, -0.419) * (1.0 + 0.607 * pow(omh2, 0.674));
    const S b2 = 0.238 * pow(omh2, 0.223);
    const S z_d = 1291.0 * pow(omh2, 0.251) / (1.0 + 0.659 * pow(omh2, 0.828)) * (1.0 + b1 * pow(obh2, b2));  // eq. 4
    const S r_eq = 31.5 * obh2 / theta4 * (1000.0 / one_plus_z_eq);  // eq. 5
    const S r_d = 31.5 * obh2 / theta4 * (1000.0 / (1.0 + z_d));
    s_ = 2.0 / (3.0 * k_eq_) * sqrt(6.0 / r_eq) *
         log((sqrt(1.0 + r_d) + sqrt(r_d + r_eq)) / (1.0 + sqrt(r_eq)));  // eq. 6, Mpc
    k_silk_ = 1.6 * pow(obh2, 0.52) * pow(omh2, 0.73) * (1.0 + pow(10.4 * omh2, -0.95));  // eq. 7, 1/Mpc

    const S a1 = pow(46.9 * omh2, 0.670) * (1.0 + pow(32.1 * omh2, -0.532));  // eq. 11
    const S a2 = pow(12.0 * omh2, 0.424) * (1.0 + pow(45.0 * omh2, -0.582));
    alpha_c_ = pow(a1, -f_b_) * pow(a2, -(f_b_ * f_b_ * f_b_));
    const S bb1 = 0.944 / (1.0 + pow(458.0 * omh2, -0.708));  // eq. 12
    const S bb2 = pow(0.395 * omh2, -0.0266);
    beta_c_ = 1.0 / (1.0 + bb1 * (pow(f_c_, bb2) - 1.0));

    const S y = one_plus_z_eq / (1.0 + z_d);  // eq. 15
    const S sqy = sqrt(1.0 + y);
    const S g = y * (-6.0 * sqy + (2.0 + 3.0 * y) * log((sqy + 1.0) / (sqy - 1.0)));
    alpha_b_ = 2.07 * k_eq_ * s_ * pow(1.0 + r_d, -0.75) * g;                           // eq. 14
    beta_b_ = 0.5 + f_b_ + (3.0 - 2.0 * f_b_) * sqrt(pow(17.2 * omh2, 2.0) + 1.0);  // eq. 24
    beta_node3_ = pow(8.41 * pow(omh2, 0.435), 3.0);                                // eq. 23, cubed
    inv_13k_eq_ = 1.0 / (13.41 * k_eq_);
  }

  /// T(k), k in 1/Mpc (> 0).
  template <typename K>
  S operator()(const K& k) const {
    using std::cbrt, std::exp, std::log, std::pow, std::sin;
    const S q = k * inv_13k_eq_;  // eq. 10
    const S q2 = q * q;
    const S ks = k * s_;
    const S c_shared = 386.0 / (1.0 + 69.9 * pow(q, 1.08));  // eq. 20 without 14.2/α
    // CDM part, eqs. 17–20: both T̃0 terms share β_c and so the logarithm.
    const S l_c = log(std::numbers::e + 1.8 * beta_c_ * q);
    const S t0_1 = l_c / (l_c + (14.2 + c_shared) * q2);
    const S t0_a = l_c / (l_c + (14.2 / alpha_c_ + c_shared) * q2);
    const S ks54 = ks / 5.4;
    const S ks54_2 = ks54 * ks54;
    const S f = 1.0 / (1.0 + ks54_2 * ks54_2);
    const S t_c = f * t0_1 + (1.0 - f) * t0_a;
    // Baryon part, eqs. 21–22: T̃0(k;1,1) and the Silk-damped envelope, times j0(k s̃).
    const S l_11 = log(std::numbers::e + 1.8 * q);
    const S t0_11 = l_11 / (l_11 + (14.2 + c_shared) * q2);
    const S ks52 = ks / 5.2;
    const S bb_over_ks = beta_b_ / ks;
    const S envelope = alpha_b_ / (1.0 + bb_over_ks * bb_over_ks * bb_over_ks) * exp(-pow(k / k_silk_, 1.4));
    const S x = ks / cbrt(1.0 + beta_node3_ / (ks * ks * ks));  // k s̃(k)
    const S j0 = x * x < 1e-4 ? 1.0 - x * x / 6.0 * (1.0 - x * x / 20.0) : sin(x) / x;
    const S t_b = (t0_11 / (1.0 + ks52 * ks52) + envelope) * j0;
    return f_b_ * t_b + f_c_ * t_c;  // eq. 16
  }

  const S& sound_horizon_mpc() const { return s_; }  ///< s, eq. 6 (Mpc)
  const S& k_silk() const { return k_silk_; }        ///< 1/Mpc
  const S& k_eq() const { return k_eq_; }            ///< 1/Mpc

 private:
  S f_b_, f_c_, k_eq_, s_, k_silk_, alpha_c_, beta_c_, alpha_b_, beta_b_, beta_node3_, inv_13k_eq_;
};

/// Eisenstein & Hu (1998) "no-wiggle" transfer function (their eqs. 26–31):
/// the baryon suppression of the shape without acoustic oscillations, using
/// their approximate sound horizon (eq. 26).
template <typename S>
class EisensteinHuNoWiggleTransfer {
 public:
  explicit EisensteinHuNoWiggleTransfer(const CosmologyParams<S>& p) {
    using std::log, std::pow, std::sqrt;
    const S omega_m = p.omega_c + p.omega_b;
    const S omh2 = omega_m * p.h * p.h;
    const S obh2 = p.omega_b * p.h * p.h;
    const S f_b = p.omega_b / omega_m;
    const double theta = p.T_cmb / 2.7;
    s_ = 44.5 * log(9.83 / omh2) / sqrt(1.0 + 10.0 * pow(obh2, 0.75));  // eq. 26, Mpc
    alpha_gamma_ = 1.0 - 0.328 * log(431.0 * omh2) * f_b + 0.38 * log(22.3 * omh2) * f_b * f_b;  // eq. 31
    gamma_h_ = omega_m * p.h * p.h / (theta * theta);  // Γ h / Θ², so that q = k / (Γ_eff h / Θ²)
  }

  /// T0(k), k in 1/Mpc (> 0).
  template <typename K>
  S operator()(const K& k) const {
    using std::log;
    const S x = 0.43 * k * s_;
    const S x2 = x * x;
    const S q = k / (gamma_h_ * (alpha_gamma_ + (1.0 - alpha_gamma_) / (1.0 + x2 * x2)));  // eqs. 28, 30
    const S l0 = log(2.0 * std::numbers::e + 1.8 * q);                                   // eq. 29
    const S c0 = 14.2 + 731.0 / (1.0 + 62.5 * q);
    return l0 / (l0 + c0 * q * q);
  }

  const S& sound_horizon_mpc() const { return s_; }  ///< eq. 26 approximation (Mpc)

 private:
  S s_, alpha_gamma_, gamma_h_;
};

/// BBKS (1986) transfer function with the Sugiyama (1995) shape parameter
/// Γ = Ω_m h exp(-Ω_b (1 + √(2h)/Ω_m)), in CCL's form:
///   q = k Θ² / (Ω_m h² exp(-Ω_b (1 + √(2h)/Ω_m))),  Θ = T_cmb/2.7, k in 1/Mpc,
///   T = ln(1+2.34q)/(2.34q) · [1 + 3.89q + (16.1q)² + (5.46q)³ + (6.71q)⁴]^(-1/4).
template <typename S>
class BbksTransfer {
 public:
  explicit BbksTransfer(const CosmologyParams<S>& p) {
    using std::exp, std::sqrt;
    const S omega_m = p.omega_c + p.omega_b;
    const double theta = p.T_cmb / 2.7;
    inv_k_scale_ = theta * theta / (omega_m * p.h * p.h * exp(-p.omega_b * (1.0 + sqrt(2.0 * p.h) / omega_m)));
  }

  /// T(k), k in 1/Mpc (> 0).
  template <typename K>
  S operator()(const K& k) const {
    using std::sqrt;
    return sqrt(squared(k));
  }

  /// T(k)², as the power spectrum needs it (no square roots of T).
  template <typename K>
  S squared(const K& k) const {
    using std::log1p, std::sqrt;
    const S q = k * inv_k_scale_;
    const S x = 2.34 * q;
    const S q161 = 16.1 * q, q546 = 5.46 * q, q671 = 6.71 * q;
    const S q671_2 = q671 * q671;
    const S poly = 1.0 + 3.89 * q + q161 * q161 + q546 * q546 * q546 + q671_2 * q671_2;
    const S l = log1p(x) / x;
    return l * l / sqrt(poly);
  }

 private:
  S inv_k_scale_;  // Θ² / (Ω_m h² e^{-...}), Mpc
};

}  // namespace orrery::cosmo
