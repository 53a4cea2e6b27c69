// Halofit: the non-linear matter power spectrum of Smith et al. (2003) with the
// revised coefficients of Takahashi et al. (2012, ApJ 761, 152, their eqs.
// A4–A13), including Takahashi's dark-energy terms 0.1749 Ω_v(1+w) and
// 0.2279 Ω_v(1+w) in a_n and b_n. Generic in the scalar type S (double, Dual,
// nested Dual): derivatives with respect to cosmological parameters are exact
// derivatives of the discretised computation.
//
// Units: k in 1/Mpc, P in Mpc^3 (as LinearPower).
//
// Pieces
//   HalofitBackground<S>  Ω_m(z), Ω_v(z) and w(z) at the output redshift, from the caller.
//   Halofit<S>            built once per cosmology from any linear spectrum P_ref(k)
//                         (a LinearPower at z = 0, or a table at some z): tabulates
//                         Δ²_ref(k) = k³ P_ref/(2π²) on a fixed ln-k rule.
//   Halofit<S>::at(D, bg) solves for the non-linear scale and returns the
//                         HalofitSpectrum<S> for P_lin(k, z) = D² P_ref(k).
//   HalofitSpectrum<S>    P_nl(k) from P_lin(k) at that redshift; cheap per k.
//   HalofitPower<S>       LinearPower + growth + background on a redshift grid,
//                         everything precomputed per grid redshift.
//
// Spectral quantities (Gaussian window, as in Smith et al. and CLASS):
//   σ²(R) = D² ∫ Δ²_ref(k) e^{-y²} dln k,  y = kR;  R_σ: σ(R_σ) = 1,  k_σ = 1/R_σ;
//   with S1 = ∫Δ² e^{-y²}, S2 = ∫Δ² 2y² e^{-y²}, S3 = ∫Δ² 4y²(1-y²) e^{-y²} (dln k, at R_σ):
//   n_eff = -3 - dlnσ²/dlnR = -3 + S2/S1,  C = -d²lnσ²/dlnR² = (S2/S1)² + S3/S1.
//   The integrals use a fixed Gauss–Legendre rule in ln k over [k_min, k_max]
//   (HalofitOptions), panels ≤ 0.5 in ln k and narrower over the baryon
//   wiggles. R_σ is found in double by safeguarded Halley iteration on
//   F = ln σ²(ln R) (concave, decreasing), then refined by Newton steps in S
//   arithmetic (one per derivative order), so dR_σ/dθ = -(∂F/∂θ)/(∂F/∂lnR) is exact.
//
// Conventions (as CLASS v3, external/Halofit/halofit.c, with f_ν = 0):
//   - w enters as the instantaneous w(z) = w0 + wa(1-a) at the output redshift;
//   - f1, f2, f3 interpolate the open (Ω_m^-0.0732, Ω_m^-0.1423, Ω_m^0.0725) and
//     flat-Λ (Ω_m^-0.0307, Ω_m^-0.0585, Ω_m^0.0743) forms with weight Ω_v/(1-Ω_m),
//     and are 1 when |1-Ω_m(z)| ≤ 0.01;
//   - μ_n = 0; no massive-neutrino (Bird et al.) terms.
//   Differences from CLASS: CLASS returns P_lin exactly for k < 1e-4 Mpc^-1
//   (by default we apply the formula there too, a ≤ 1e-4 relative change; set
//   HalofitOptions::linear_below_k_mpc = 1e-4 to copy CLASS), and it gives up
//   where σ < 1 at its largest k; here a redshift whose non-linear scale lies
//   beyond k_max is flagged `linear_only` and P_nl = P_lin there.
//   CLASS's Ω_v is 1 - Ω_m(z) - Ω_r(z), equal to Ω_de(z) in a flat universe;
//   `halofit_background` uses Ω_de(z) itself.
//
// Cost (double, g++ 12 -O3 -march=x86-64-v3, AMD EPYC): construction ≈ one
// P_ref per rule node (464 nodes: ≈ 50 µs for EH, 16 µs for BBKS); `at` ≈ 7 µs
// (about three passes over the rule); one HalofitSpectrum evaluation ≈ 65 ns on
// top of P_lin. HalofitPower on 100 redshifts ≈ 0.7–1 ms. Dual<double, 8>:
// `at` ≈ 20–40 µs, an evaluation ≈ 0.2–0.4 µs.
// All objects are immutable after construction and safe to share between threads.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <orrery/error.hpp>

#include "cosmo_core/dual.hpp"
#include "cosmo_core/linear_power.hpp"
#include "cosmo_core/quadrature_rules.hpp"

namespace orrery::cosmo {

/// Background quantities halofit needs at the output redshift.
template <typename S>
struct HalofitBackground {
  S omega_m = 1.0;  ///< Ω_m(z) = Ω_m a^-3 / E²
  S omega_v = 0.0;  ///< Ω_v(z): dark-energy density parameter at z
  S w = -1.0;       ///< w(z), the instantaneous equation of state at z
};

/// Ω_m(a), Ω_de(a) and w(a) = w0 + wa(1-a) from a background object exposing
/// `expansion()` with the members of cosmo_core's Expansion<S> (omega_m,
/// omega_de, w0, wa, E2(a, ln a), dark_energy_ratio(a, ln a)), e.g. Background<S>.
template <typename BackgroundLike>
auto halofit_background(const BackgroundLike& background, double a) {
  const auto& ex = background.expansion();
  const double x = std::log(a);
  const auto e2 = ex.E2(a, x);
  using S = std::decay_t<decltype(e2)>;
  HalofitBackground<S> out;
  out.omega_m = ex.omega_m / (a * a * a * e2);
  out.omega_v = ex.omega_de * ex.dark_energy_ratio(a, x) / e2;
  out.w = ex.w0 + ex.wa * (1.0 - a);
  return out;
}

struct HalofitOptions {
  double k_min_mpc = 1e-4;     ///< lower limit of the σ-integrals (1/Mpc)
  double k_max_mpc = 1e4;      ///< upper limit; k_σ must be ≲ k_max/8
  double max_ln_width = 0.5;   ///< widest Gauss–Legendre panel in ln k
  int order = 8;               ///< points per panel
  /// P_nl = P_lin for k below this (1/Mpc). 0: the formula everywhere (default);
  /// 1e-4 reproduces CLASS's `halofit_min_k_nonlinear` cut.
  double linear_below_k_mpc = 0.0;
};

namespace detail {
/// Number of nested Dual levels: 0 for double, 1 for Dual<double, N>, ...
template <typename S>
struct DerivativeOrder {
  static constexpr int value = 0;
};
template <typename T, int N>
struct DerivativeOrder<Dual<T, N>> {
  static constexpr int value = 1 + DerivativeOrder<T>::value;
};
/// y² beyond which e^{-y²} < 1e-27 and the σ-integrands are dropped.
inline constexpr double kGaussianCutoff = 62.0;
}  // namespace detail

template <typename S>
class Halofit;

/// Halofit at one redshift: P_nl(k) from P_lin(k).
template <typename S>
class HalofitSpectrum {
 public:
  /// P_nl [Mpc^3] at k [1/Mpc] (a double, or an S such as ℓ/χ(θ)) given
  /// P_lin(k, z) [Mpc^3] at the same redshift.
  template <typename K>
  S operator()(const K& k_mpc, const S& p_lin) const {
    using std::exp, std::log, std::log1p;
    if (linear_only_ || k_mpc < linear_below_k_mpc_) return p_lin;
    constexpr double two_pi2 = 2.0 * std::numbers::pi * std::numbers::pi;
    const K k3 = k_mpc * k_mpc * k_mpc;
    const S d2_lin = p_lin * (k3 / two_pi2);
    const S y = k_mpc * inv_k_sigma_;
    const S ln_y = log(y);
    // Two-halo (quasi-linear) term, Takahashi eq. A2; one-halo term, eq. A3 with μ_n = 0.
    const S d2_q = d2_lin * exp(beta_ * log1p(d2_lin)) / (1.0 + alpha_ * d2_lin) * exp(-y * (0.25 + 0.125 * y));
    const S d2_h = exp(ln_a_ + three_f1_ * ln_y) /
                   ((1.0 + exp(ln_b_ + f2_ * ln_y) + exp(three_minus_gamma_ * (ln_f3_c_ + ln_y))) * (1.0 + nu_ / (y * y)));
    return (d2_q + d2_h) * (two_pi2 / k3);
  }

  const S& k_sigma() const { return k_sigma_; }  ///< 1/R_σ [1/Mpc]
  const S& n_eff() const { return n_eff_; }      ///< effective index
  const S& curvature() const { return c_; }      ///< spectral curvature C
  const S& growth() const { return growth_; }    ///< D relative to the reference spectrum
  const HalofitBackground<S>& background() const { return bg_; }
  /// True when σ < 1 on every resolvable scale (non-linear scale beyond k_max): P_nl = P_lin.
  bool linear_only() const { return linear_only_; }

 private:
  template <typename>
  friend class Halofit;

  /// Coefficients of Takahashi et al. (2012) eqs. A6–A13 (CLASS's form).
  void set_coefficients() {
    using std::abs, std::exp, std::log, std::pow;
    constexpr double ln10 = std::numbers::ln10;
    const S& n = n_eff_;
    const S n2 = n * n, n3 = n2 * n, n4 = n3 * n;
    const S de = bg_.omega_v * (1.0 + bg_.w);
    ln_a_ = ln10 * (1.5222 + 2.8553 * n + 2.3706 * n2 + 0.9903 * n3 + 0.2250 * n4 - 0.6038 * c_ + 0.1749 * de);
    ln_b_ = ln10 * (-0.5642 + 0.5864 * n + 0.5716 * n2 - 1.5474 * c_ + 0.2279 * de);
    const S ln_c = ln10 * (0.3698 + 2.0404 * n + 0.8161 * n2 + 0.5869 * c_);
    const S gamma = 0.1971 - 0.0843 * n + 0.8460 * c_;
    alpha_ = abs(6.0835 + 1.3373 * n - 0.1959 * n2 - 5.5274 * c_);
    beta_ = 2.0379 - 0.7354 * n + 0.3157 * n2 + 1.2490 * n3 + 0.3980 * n4 - 0.1682 * c_;
    nu_ = exp(ln10 * (5.2105 + 3.6902 * n));
    S f1 = 1.0, f2 = 1.0, f3 = 1.0;
    const S& om = bg_.omega_m;
    if (abs(1.0 - value_of(om)) > 0.01) {
      const S frac = bg_.omega_v / (1.0 - om);
      f1 = frac * pow(om, -0.0307) + (1.0 - frac) * pow(om, -0.0732);
      f2 = frac * pow(om, -0.0585) + (1.0 - frac) * pow(om, -0.1423);
      f3 = frac * pow(om, 0.0743) + (1.0 - frac) * pow(om, 0.0725);
    }
    three_f1_ = 3.0 * f1;
    f2_ = f2;
    three_minus_gamma_ = 3.0 - gamma;
    ln_f3_c_ = log(f3) + ln_c;
    inv_k_sigma_ = 1.0 / k_sigma_;
  }

  S growth_ = 1.0, k_sigma_ = 1.0, n_eff_ = -2.0, c_ = 0.0;
  HalofitBackground<S> bg_;
  bool linear_only_ = false;
  double linear_below_k_mpc_ = 0.0;
  // Cached per-redshift coefficients.
  S ln_a_{}, ln_b_{}, alpha_{}, beta_{}, nu_{}, three_f1_{}, f2_{}, three_minus_gamma_{}, ln_f3_c_{}, inv_k_sigma_{};
};

/// Halofit's σ-integrals of one reference linear spectrum; `at` gives the
/// spectrum at any growth factor relative to it.
template <typename S>
class Halofit {
 public:
  /// p_ref(double k_mpc) -> S: the linear P [Mpc^3] at the reference time
  /// (z = 0 for a LinearPower; D passed to `at` is relative to it).
  template <typename LinearSpectrum>
  explicit Halofit(const LinearSpectrum& p_ref, const HalofitOptions& options = {}) : options_(options) {
    if (!(options.k_min_mpc > 0) || !(options.k_max_mpc > options.k_min_mpc))
      throw Error("Halofit: need 0 < k_min < k_max, got [" + std::to_string(options.k_min_mpc) + ", " +
                  std::to_string(options.k_max_mpc) + "] 1/Mpc");
    const QuadratureRule rule =
        detail::wiggle_resolving_log_rule(options.k_min_mpc, options.k_max_mpc, options.max_ln_width, options.order);
    const std::size_t n = rule.size();
    k2_.resize(n);
    wd2_.resize(n);
    wd2_value_.resize(n);
    constexpr double inv_two_pi2 = 1.0 / (2.0 * std::numbers::pi * std::numbers::pi);
    for (std::size_t i = 0; i < n; ++i) {
      const double k = rule.x[i];
      k2_[i] = k * k;
      wd2_[i] = (rule.w[i] * k * k * k * inv_two_pi2) * p_ref(k);
      wd2_value_[i] = value_of(wd2_[i]);
      if (!(wd2_value_[i] >= 0) || !std::isfinite(wd2_value_[i]))
        throw Error("Halofit: linear P(k) = " + std::to_string(value_of(p_ref(k))) + " at k = " + std::to_string(k) +
                    " 1/Mpc; expected a positive finite value");
    }
  }

  /// Halofit at the redshift where P_lin = D² P_ref, with that redshift's
  /// background. `ln_r_guess` (ln of R_σ in Mpc, e.g. from a neighbouring
  /// redshift) only speeds up the search.
  HalofitSpectrum<S> at(const S& growth, const HalofitBackground<S>& background,
                        double ln_r_guess = std::numeric_limits<double>::quiet_NaN()) const {
    using std::exp, std::log;
    HalofitSpectrum<S> out;
    out.growth_ = growth;
    out.bg_ = background;
    out.linear_below_k_mpc_ = options_.linear_below_k_mpc;
    const double d = value_of(growth);
    if (!(d > 0) || !std::isfinite(d)) throw Error("Halofit::at: growth factor must be positive, got " + std::to_string(d));
    const double two_ln_d = 2.0 * std::log(d);

    // 1. ln R_σ in double: F(t) = ln σ²(e^t), F' = -S2/S1 = -(n_eff+3) < 0,
    //    F'' = -C. Halley steps (cubic convergence; S3 comes with the same
    //    pass), bracketed for safety. Once a step is below 1e-5 the next error
    //    is ~1e-15 and the step is taken without another pass.
    const double t_min = std::log(std::sqrt(detail::kGaussianCutoff) / options_.k_max_mpc);
    const double t_max = -std::log(options_.k_min_mpc);
    double lo = t_min, hi = t_max;
    bool lo_seen = false, hi_seen = false;
    double t = std::isfinite(ln_r_guess) ? std::clamp(ln_r_guess, t_min, t_max) : std::clamp(0.5, t_min, t_max);
    for (int it = 0;; ++it) {
      if (it > 200) throw Error("Halofit::at: no convergence for the non-linear scale (growth " + std::to_string(d) + ")");
      double s1 = 0, s2 = 0, s3 = 0;
      moments_value(std::exp(2.0 * t), s1, s2, s3);
      if (!(s1 > 0)) {  // R so large that no node survives the cutoff: σ = 0 < 1
        hi = t, hi_seen = true;
        t = 0.5 * (lo + hi);
        continue;
      }
      const double f = std::log(s1) + two_ln_d;
      if (f > 0) {
        lo = t, lo_seen = true;
        if (t >= t_max) throw Error("Halofit::at: σ > 1 even at R = 1/k_min; lower HalofitOptions::k_min_mpc");
      } else {
        hi = t, hi_seen = true;
        if (t <= t_min) {  // σ < 1 on every scale the rule resolves
          out.linear_only_ = true;
          out.k_sigma_ = 1.0 / std::exp(t_min);
          return out;
        }
      }
      const double fp = -s2 / s1, fpp = -(s3 / s1 + fp * fp);
      const double newton = -f / fp;
      const double halley_denominator = 1.0 + newton * fpp / (2.0 * fp);
      const double step = halley_denominator > 0.5 ? newton / halley_denominator : newton;
      double next = t + std::clamp(step, -1.5, 1.5);
      bool clean = halley_denominator > 0.5 && std::abs(step) <= 1.5;
      if (!(next > lo && next < hi)) {
        clean = false;
        if (next <= lo && !lo_seen) next = lo;
        else if (next >= hi && !hi_seen) next = hi;
        else next = 0.5 * (lo + hi);
      }
      // A clean Halley step δ leaves an error ~δ³; a fallback step must be checked.
      const bool done = clean ? std::abs(step) < 1e-5 : (hi - lo < 1e-14);
      t = next;
      if (done) break;
    }

    // 2. Newton steps in S arithmetic carry the exact derivatives of R_σ
    //    (each step doubles the number of correct derivative orders).
    S ln_r = t;
    const S two_ln_growth = 2.0 * log(growth);
    for (int step = 0; step < detail::DerivativeOrder<S>::value; ++step) {
      S s1, s2, s3;
      moments(exp(2.0 * ln_r), s1, s2, s3, false);
      ln_r = ln_r + (log(s1) + two_ln_growth) * s1 / s2;
    }

    // 3. n_eff and C at R_σ.
    S s1, s2, s3;
    moments(exp(2.0 * ln_r), s1, s2, s3, true);
    const S r21 = s2 / s1;
    out.k_sigma_ = exp(-ln_r);
    out.n_eff_ = -3.0 + r21;
    out.c_ = r21 * r21 + s3 / s1;
    out.set_coefficients();
    return out;
  }

  /// σ²(R) = D² ∫ Δ²_ref e^{-k²R²} dln k on this object's rule (R in Mpc);
  /// σ²(1/k_σ) = 1 at the growth D given to `at`.
  S sigma2_gaussian(double r_mpc, const S& growth = S(1.0)) const {
    S s1, s2, s3;
    moments(S(r_mpc * r_mpc), s1, s2, s3, false);
    return s1 * growth * growth;
  }

  const HalofitOptions& options() const { return options_; }
  std::size_t nodes() const { return k2_.size(); }

 private:
  // S1, S2, S3 of the reference spectrum at R² = r2, in double.
  void moments_value(double r2, double& s1, double& s2, double& s3) const {
    s1 = s2 = s3 = 0.0;
    for (std::size_t i = 0; i < k2_.size(); ++i) {
      const double y2 = k2_[i] * r2;
      if (y2 > detail::kGaussianCutoff) break;
      const double e = wd2_value_[i] * std::exp(-y2);
      const double y2e = y2 * e;
      s1 += e;
      s2 += y2e;
      s3 += y2 * y2e;
    }
    s3 = 4.0 * (s2 - s3);
    s2 *= 2.0;
  }
  // S1, S2 (and S3 if asked) in S arithmetic at R² = r2.
  void moments(const S& r2, S& s1, S& s2, S& s3, bool want_s3) const {
    using std::exp;
    s1 = s2 = s3 = 0.0;
    const double r2v = value_of(r2);
    for (std::size_t i = 0; i < k2_.size(); ++i) {
      if (k2_[i] * r2v > detail::kGaussianCutoff) break;
      const S y2 = k2_[i] * r2;
      const S e = wd2_[i] * exp(-y2);
      const S y2e = y2 * e;
      s1 += e;
      s2 += 2.0 * y2e;
      if (want_s3) s3 += 4.0 * (y2e - y2 * y2e);
    }
  }

  HalofitOptions options_;
  std::vector<double> k2_;          // k_i² [1/Mpc²]
  std::vector<S> wd2_;              // w_i Δ²_ref(k_i)
  std::vector<double> wd2_value_;   // its values, for the double search
};

/// A linear spectrum (z = 0) with halofit precomputed on a redshift grid:
/// P_lin(k, z_i) and P_nl(k, z_i) for any k at grid redshifts.
template <typename S>
class HalofitPower {
 public:
  /// growth(a) -> S: D(a)/D(1); background(a) -> HalofitBackground<S>.
  /// z: grid redshifts ≥ 0 (any order; neighbours seed each other's search).
  template <typename GrowthFn, typename BackgroundFn>
  HalofitPower(LinearPower<S> linear, std::vector<double> z, const GrowthFn& growth, const BackgroundFn& background,
               const HalofitOptions& options = {})
      : linear_(std::move(linear)), z_(std::move(z)), halofit_(linear_, options) {
    spectra_.reserve(z_.size());
    double guess = std::numeric_limits<double>::quiet_NaN();
    for (double zi : z_) {
      if (!(zi >= 0) || !std::isfinite(zi)) throw Error("HalofitPower: redshift must be >= 0, got " + std::to_string(zi));
      const double a = 1.0 / (1.0 + zi);
      spectra_.push_back(halofit_.at(growth(a), background(a), guess));
      if (!spectra_.back().linear_only()) guess = -std::log(value_of(spectra_.back().k_sigma()));
    }
  }

  /// P_lin(k, z_i) [Mpc^3], k in 1/Mpc (double or S).
  template <typename K>
  S p_lin(const K& k_mpc, std::size_t iz) const {
    return linear_(k_mpc, spectra_[iz].growth());
  }
  /// P_nl(k, z_i) [Mpc^3], k in 1/Mpc (double or S).
  template <typename K>
  S p_nl(const K& k_mpc, std::size_t iz) const {
    return spectra_[iz](k_mpc, p_lin(k_mpc, iz));
  }

  const std::vector<double>& z() const { return z_; }
  const HalofitSpectrum<S>& spectrum(std::size_t iz) const { return spectra_[iz]; }
  const LinearPower<S>& linear() const { return linear_; }

 private:
  LinearPower<S> linear_;
  std::vector<double> z_;
  Halofit<S> halofit_;
  std::vector<HalofitSpectrum<S>> spectra_;
};

}  // namespace orrery::cosmo
