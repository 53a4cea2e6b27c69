// Limber angular power spectra for every pair of tracers, generic in S.
//
//   C^{ij}_ℓ = F_i(ℓ) F_j(ℓ) ∫ dz (c / H(z)) q_i(z) q_j(z) / f_K(χ)² · P(k = (ℓ+½)/f_K(χ), z)
//
// with χ(z) the comoving radial distance, f_K the transverse comoving distance,
// and the kernels (per unit comoving distance)
//   counts:  q = b(z) n(z) H(z)/c
//   shear:   q = (1+m) [ (3/2) Ω_m (H0/c)² (1+z) f_K(χ) ∫_z dz' n(z') f_K(χ'−χ)/f_K(χ') + q_IA ]
// F(ℓ) = sqrt((ℓ+2)(ℓ+1)ℓ(ℓ−1)) / (ℓ+½)² for shear (the exact spin-2 factor,
// switchable off to compare with codes that drop it) and 1 for counts.
//
// The integral runs over a fixed z grid (composite Simpson in t, z ∝ t²), so z and
// a = 1/(1+z) are plain doubles and every cosmology dependence (χ, H, growth,
// P) is carried exactly by S. The lensing-efficiency integral uses the
// separable identity f_K(χ'−χ)/f_K(χ') = c_K(χ) − f_K(χ) c_K(χ')/f_K(χ'),
// with c_K = cos/1/cosh for closed/flat/open, so it costs O(grid) per tracer.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <type_traits>
#include <cmath>
#include <vector>

#include <orrery/error.hpp>

#include "cosmo_core/background.hpp"
#include "cosmo_core/constants.hpp"
#include "cosmo_core/gaussian_covariance.hpp"
#include "cosmo_core/growth.hpp"
#include "cosmo_core/tracer.hpp"

namespace orrery::cosmo {

struct LimberSettings {
  int z_intervals = 256;           ///< Simpson intervals over (z_min, z_max]; even (CCL benchmarks: 0.04 sigma at 256)
  double z_min = 1e-4;             ///< lower limit (the integrand vanishes at z → 0)
  bool exact_shear_ell_factor = true;
};

template <typename S>
class Limber {
 public:
  using Vector = Eigen::Matrix<S, Eigen::Dynamic, 1>;
  using Matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

  /// Kernels of `tracers` on the z grid. `background` and `growth` must outlive
  /// this object only during construction (nothing is kept by reference).
  Limber(const Background<S>& background, const Growth<S>& growth, const std::vector<Tracer>& tracers,
         LimberSettings settings = {})
      : tracers_(tracers), settings_(settings) {
    if (tracers_.empty()) throw Error("Limber: no tracers");
    if (settings_.z_intervals < 2 || settings_.z_intervals % 2) throw Error("Limber: z_intervals must be even and >= 2");
    double z_max = 0;
    for (const Tracer& t : tracers_) z_max = std::max(z_max, t.nz.is_delta() ? t.nz.z().front() : t.nz.z_max());
    if (!(z_max > settings_.z_min)) throw Error("Limber: the tracers' n(z) end below z_min");
    const int n = settings_.z_intervals;
    // Nodes uniform in t ∈ [0, 1] with z = z_min + (z_max − z_min) t²: denser at
    // low z, where lensing kernels of low bins vary fastest; dz/dt weights the
    // rules below.
    z_.resize(n + 1);
    dz_dt_.resize(n + 1);
    dt_ = 1.0 / n;
    for (int i = 0; i <= n; ++i) {
      const double t = static_cast<double>(i) / n;
      z_[static_cast<std::size_t>(i)] = settings_.z_min + (z_max - settings_.z_min) * t * t;
      dz_dt_[static_cast<std::size_t>(i)] = 2.0 * (z_max - settings_.z_min) * t;
    }

    // Distances and expansion rate at the nodes.
    using std::cos;
    using std::cosh;
    using std::sqrt;
    const S omega_k = background.omega_k();
    const S chi_h = background.hubble_distance();
    chi_.resize(n + 1);
    f_k_.resize(n + 1);
    c_k_.resize(n + 1);
    h_over_c_.resize(n + 1);
    for (int i = 0; i <= n; ++i) {
      const double a = 1.0 / (1.0 + z_[static_cast<std::size_t>(i)]);
      chi_[i] = background.comoving_radial_distance(a);
      f_k_[i] = background.transverse_comoving_distance(a);
      h_over_c_[i] = background.E(a) / chi_h;
      if (value_of(omega_k) > 0) {
        c_k_[i] = cosh(sqrt(omega_k) * chi_[i] / chi_h);
      } else if (value_of(omega_k) < 0) {
        c_k_[i] = cos(sqrt(-omega_k) * chi_[i] / chi_h);
      } else {
        c_k_[i] = S(1.0);
      }
    }

    kernels_.resize(n + 1, static_cast<Eigen::Index>(tracers_.size()));
    const S lensing_prefactor = 1.5 * background.omega_m() / (chi_h * chi_h);
    for (std::size_t t = 0; t < tracers_.size(); ++t) {
      const Tracer& tr = tracers_[t];
      if (tr.kind == Tracer::Kind::Counts) {
        if (tr.nz.is_delta()) throw Error("Limber: number counts need an extended n(z), not a delta");
        for (int i = 0; i <= n; ++i) kernels_(i, static_cast<Eigen::Index>(t)) = counts_weight(tr, i) * h_over_c_[i];
        continue;
      }
      const std::vector<S> efficiency = lensing_efficiency(tr, background);
      for (int i = 0; i <= n; ++i) {
        const double z = z_[static_cast<std::size_t>(i)];
        S q = lensing_prefactor * (1.0 + z) * f_k_[i] * efficiency[static_cast<std::size_t>(i)];
        if (tr.ia_amplitude != 0.0 && !tr.nz.is_delta()) {
          using std::pow;
          const double amplitude = tr.ia_amplitude * ia_c1_rho_crit() * std::pow((1 + z) / (1 + tr.ia_z_pivot), tr.ia_eta);
          q -= amplitude * background.omega_m() / growth.growth_factor(1.0 / (1.0 + z)) * tr.nz(z) * h_over_c_[i];
        }
        kernels_(i, static_cast<Eigen::Index>(t)) = (1.0 + tr.multiplicative_bias) * q;
      }
    }
  }

  /// C_ℓ for every pair (rows, in tracer_pairs order) and every ℓ (columns).
  /// `power(k, i)` returns P(k, z_i) for k in 1/Mpc at node i of z_grid(),
  /// in Mpc³; k carries S derivatives through f_K.
  template <typename PowerFn>
  [[nodiscard]] Matrix spectra(const std::vector<double>& ells, PowerFn&& power) const {
    const auto pairs = tracer_pairs(static_cast<int>(tracers_.size()));
    const int n = settings_.z_intervals;
    Matrix out = Matrix::Zero(static_cast<Eigen::Index>(pairs.size()), static_cast<Eigen::Index>(ells.size()));
    Vector weight(n + 1);  // Simpson weight × (c/H) / f_K² × P at each node, for one ℓ
    for (std::size_t l = 0; l < ells.size(); ++l) {
      const double ell = ells[l];
      for (int i = 0; i <= n; ++i) {
        const double simpson = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        const S k = (ell + 0.5) / f_k_[i];
        weight[i] = simpson * dt_ * dz_dt_[static_cast<std::size_t>(i)] / 3.0 / (h_over_c_[i] * f_k_[i] * f_k_[i]) *
                    power(k, static_cast<std::size_t>(i));
      }
      for (std::size_t p = 0; p < pairs.size(); ++p) {
        const auto [a, b] = pairs[p];
        S sum(0.0);
        for (int i = 0; i <= n; ++i) sum += weight[i] * kernels_(i, a) * kernels_(i, b);
        out(static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(l)) = sum * ell_factor(a, ell) * ell_factor(b, ell);
      }
    }
    return out;
  }

  [[nodiscard]] const std::vector<double>& z_grid() const { return z_; }
  [[nodiscard]] const std::vector<Tracer>& tracers() const { return tracers_; }
  /// The kernel q_t(z_i) of tracer t (per unit comoving distance).
  [[nodiscard]] const S& kernel(std::size_t t, std::size_t i) const {
    return kernels_(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(t));
  }

 private:
  [[nodiscard]] double counts_weight(const Tracer& tr, int i) const {
    const double z = z_[static_cast<std::size_t>(i)];
    double b = tr.bias;
    if (!tr.bias_z.empty()) {
      const auto& zz = tr.nz.z();
      const auto it = std::upper_bound(zz.begin(), zz.end(), z);
      const std::size_t j = std::clamp<std::size_t>(static_cast<std::size_t>(it - zz.begin()), 1, zz.size() - 1);
      const double t = std::clamp((z - zz[j - 1]) / (zz[j] - zz[j - 1]), 0.0, 1.0);
      b = tr.bias_z[j - 1] + t * (tr.bias_z[j] - tr.bias_z[j - 1]);
    }
    return b * tr.nz(z);
  }

  /// ∫_z dz' n(z') f_K(χ'−χ)/f_K(χ') at every node (zero beyond the sources).
  [[nodiscard]] std::vector<S> lensing_efficiency(const Tracer& tr, const Background<S>& background) const {
    const int n = settings_.z_intervals;
    std::vector<S> out(static_cast<std::size_t>(n + 1), S(0.0));
    if (tr.nz.is_delta()) {
      const double zs = tr.nz.z().front();
      const double as = 1.0 / (1.0 + zs);
      const S fs = background.transverse_comoving_distance(as);
      const S chis = background.comoving_radial_distance(as);
      S cs(1.0);
      using std::cos;
      using std::cosh;
      using std::sqrt;
      const S omega_k = background.omega_k();
      const S chi_h = background.hubble_distance();
      if (value_of(omega_k) > 0) cs = cosh(sqrt(omega_k) * chis / chi_h);
      if (value_of(omega_k) < 0) cs = cos(sqrt(-omega_k) * chis / chi_h);
      for (int i = 0; i <= n; ++i)
        if (z_[static_cast<std::size_t>(i)] < zs) out[static_cast<std::size_t>(i)] = c_k_[i] - f_k_[i] * cs / fs;
      return out;
    }
    // Cumulative integrals from the top, A = ∫ n dz' and B = ∫ n c_K/f_K dz',
    // interval by interval with the 4-point rule
    //   ∫_{z_i}^{z_i+1} g = h/24 (−g_{i−1} + 13 g_i + 13 g_{i+1} − g_{i+2}),
    // fourth order where g is smooth (trapezoid in the two end intervals).
    const double dz = dt_;  // the rule runs in t; integrands carry dz/dt
    std::vector<double> nv(static_cast<std::size_t>(n + 1));
    std::vector<S> gv(static_cast<std::size_t>(n + 1));
    for (int i = 0; i <= n; ++i) {
      nv[static_cast<std::size_t>(i)] = tr.nz(z_[static_cast<std::size_t>(i)]) * dz_dt_[static_cast<std::size_t>(i)];
      gv[static_cast<std::size_t>(i)] = nv[static_cast<std::size_t>(i)] * c_k_[i] / f_k_[i];
    }
    auto interval = [&](const auto& g, int i) {
      using T = std::decay_t<decltype(g[0])>;
      const auto at = [&](int j) -> const T& { return g[static_cast<std::size_t>(j)]; };
      if (i == 0 || i + 1 == n) return T(0.5 * dz * (at(i) + at(i + 1)));
      return T(dz / 24.0 * (13.0 * (at(i) + at(i + 1)) - at(i - 1) - at(i + 2)));
    };
    S a_sum(0.0), b_sum(0.0);
    for (int i = n - 1; i >= 0; --i) {
      a_sum += interval(nv, i);
      b_sum += interval(gv, i);
      out[static_cast<std::size_t>(i)] = c_k_[i] * a_sum - f_k_[i] * b_sum;
    }
    return out;
  }

  [[nodiscard]] double ell_factor(int tracer, double ell) const {
    if (tracers_[static_cast<std::size_t>(tracer)].kind != Tracer::Kind::Shear || !settings_.exact_shear_ell_factor) return 1.0;
    if (ell < 2) return 0.0;
    return std::sqrt((ell + 2) * (ell + 1) * ell * (ell - 1)) / ((ell + 0.5) * (ell + 0.5));
  }

  std::vector<Tracer> tracers_;
  LimberSettings settings_;
  std::vector<double> z_, dz_dt_;
  double dt_ = 0;
  Vector chi_, f_k_, c_k_, h_over_c_;
  Matrix kernels_;  ///< nodes × tracers
};

}  // namespace orrery::cosmo
