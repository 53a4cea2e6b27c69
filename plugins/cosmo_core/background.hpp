// Background<S>: expansion history and distances of an FLRW cosmology.
//
// Contract
//   Built from CosmologyParams<S>; generic in the scalar S (double, Dual, nested
//   Dual), so every result is an exact derivative of the discretised
//   computation with respect to the cosmological parameters.
//   Densities: Ω_m = Ω_c + Ω_b, Ω_r = photons (T_cmb) + N_eff massless
//   neutrinos, Ω_k as given, and dark energy closes the budget,
//   Ω_de = 1 - Ω_m - Ω_r - Ω_k, with CPL w(a) = w0 + wa (1 - a):
//     E²(a) = Ω_m a^-3 + Ω_r a^-4 + Ω_k a^-2 + Ω_de a^{-3(1+w0+wa)} e^{-3 wa (1-a)}.
//   Units: all distances in Mpc (not Mpc/h); H in km/s/Mpc; the distance
//   modulus in magnitudes. Scale factors must lie in [a_min, 1] (a_min from
//   BackgroundAccuracy), redshifts in [0, 1/a_min - 1].
//
// Method
//   χ(a) = (c/H0) ∫_a^1 da' / (a'² E(a')) is tabulated once, in the
//   constructor, on a fixed grid of scale factors: every octave [2^-(o+1), 2^-o]
//   down to a_min is cut into cells_per_octave cells uniform in a (Δa/a ≤ 1/32
//   by default, 640 cells to a = 1e-6). Each cell is integrated with the
//   corrected trapezoid rule (end values and exact end slopes of the
//   integrand), and q(a) = χ/(1 - a), smooth and finite at a = 1, is
//   interpolated with cubic Hermite polynomials whose node slopes follow from
//   the exact dχ/da; χ = (1 - a) q keeps its relative accuracy as z → 0.
//   Locating a cell is bit arithmetic on a (no logarithm), so a lookup is a
//   few integer operations and one Horner sweep. The grid does not depend on
//   parameter values, so results are smooth functions of the parameters.
//   Default accuracy: χ within 5e-9 relative of the converged value.
//
// Throws orrery::Error (with the offending parameter and value) for h ≤ 0,
// Ω_m ≤ 0, non-finite parameters, T_cmb < 0 or N_eff < 0, E² ≤ 0 anywhere on
// the grid, a closed universe whose χ reaches π χ_H/√|Ω_k| (the sin form of the
// transverse distance folds over), and for scale factors or distances outside
// the table. Instances are immutable after construction: const methods may be
// called concurrently.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "cosmo_core/constants.hpp"
#include "cosmo_core/cosmology_params.hpp"
#include "cosmo_core/dual.hpp"
#include "orrery/error.hpp"

namespace orrery::cosmo {

namespace detail {

inline std::string format_value(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

/// The scale-factor grid shared by the distance and growth tables: octaves
/// [2^-(o+1), 2^-o], o = 0..octaves-1, each cut into K cells uniform in a.
/// Nodes are numbered from a = 1 (k = 0) down to a = 2^-octaves (k = cells()).
/// Locating a is exact bit arithmetic (no logarithm): the octave is the
/// binary exponent and the position in it the mantissa, so a lookup costs a
/// few integer operations, and the local coordinate keeps full relative
/// precision near a = 1 (z → 0).
class OctaveGrid {
 public:
  OctaveGrid() = default;
  OctaveGrid(int octaves, int cells_per_octave)
      : octaves_(octaves), per_octave_(cells_per_octave),
        k_(static_cast<double>(cells_per_octave)), a_min_(std::ldexp(1.0, -octaves)) {}

  [[nodiscard]] std::size_t cells() const { return static_cast<std::size_t>(octaves_ * per_octave_); }
  [[nodiscard]] double a_min() const { return a_min_; }
  /// Node k, k = 0..cells(): a = 2^-(o+1) (2 - j/K) with k = o K + j.
  [[nodiscard]] double node(std::size_t k) const {
    const auto per = static_cast<std::size_t>(per_octave_);
    return (2.0 - static_cast<double>(k % per) / k_) * octave_scale(k / per);
  }
  /// a(node k) - a(node k+1) > 0: cell k spans [node(k+1), node(k)].
  [[nodiscard]] double width(std::size_t k) const {
    return octave_scale(k / static_cast<std::size_t>(per_octave_)) / k_;
  }

  /// ln a at node k + t, t ∈ [0, 1) (t = 0.5: the cell midpoint), for all
  /// k = 0..cells() (t = 0) or k = 0..cells()-1 (t > 0), with one logarithm
  /// per position in an octave instead of one per node.
  [[nodiscard]] std::vector<double> log_nodes(double t = 0.0) const {
    const auto per = static_cast<std::size_t>(per_octave_);
    std::vector<double> in_octave(per);
    for (std::size_t j = 0; j < per; ++j) in_octave[j] = std::log(2.0 - (static_cast<double>(j) + t) / k_);
    const std::size_t n = cells() + (t == 0.0 ? 1 : 0);
    std::vector<double> x(n);
    for (std::size_t k = 0; k < n; ++k)
      x[k] = in_octave[k % per] - static_cast<double>(k / per + 1) * std::numbers::ln2;
    return x;
  }

  /// Cell k and local coordinate u = (node(k) - a)/width(k) ∈ [0, 1] of a;
  /// false if a is outside [a_min, 1] (or not a number).
  bool locate(double a, std::size_t& k, double& u) const {
    if (!(a >= a_min_ && a <= 1.0)) return false;
    if (a == 1.0) {
      place(0, 0.0, k, u);
      return true;
    }
    place_below_one(a, k, u);
    return true;
  }
  /// The same for a = 1/(1+z); for z ≤ 1 through 1 - a = z/(1+z), so that
  /// small redshifts keep full relative precision.
  bool locate_z(double z, std::size_t& k, double& u) const {
    if (!(z >= 0.0)) return false;
    if (z <= 1.0) {
      place(0, 2.0 * k_ * (z / (1.0 + z)), k, u);
      return true;
    }
    const double a = 1.0 / (1.0 + z);
    if (!(a >= a_min_)) return false;
    place_below_one(a, k, u);
    return true;
  }

 private:
  static constexpr std::uint64_t kMantissaMask = (std::uint64_t{1} << 52) - 1;
  static constexpr std::uint64_t kExponentOne = std::uint64_t{1023} << 52;
  /// 2^-(o+1), exactly (o < 1022).
  static double octave_scale(std::size_t octave) {
    return std::bit_cast<double>(static_cast<std::uint64_t>(1022 - octave) << 52);
  }
  /// a ∈ [a_min, 1): the octave is the binary exponent, the position the mantissa.
  void place_below_one(double a, std::size_t& k, double& u) const {
    const auto bits = std::bit_cast<std::uint64_t>(a);
    const std::int64_t octave = 1022 - static_cast<std::int64_t>(bits >> 52);  // a ∈ [2^-(o+1), 2^-o)
    const double mantissa = std::bit_cast<double>((bits & kMantissaMask) | kExponentOne);  // [1, 2)
    place(octave, k_ * (2.0 - mantissa), k, u);
  }
  /// Position p = K (2 - mantissa) ∈ [0, K] inside octave o (signed
  /// arithmetic: cheaper conversions).
  void place(std::int64_t octave, double p, std::size_t& k, double& u) const {
    std::int64_t j = static_cast<std::int64_t>(p);
    j = j < per_octave_ ? j : per_octave_ - 1;  // p = K: the octave's lower end
    u = p - static_cast<double>(j);
    k = static_cast<std::size_t>(octave * per_octave_ + j);
  }

  int octaves_ = 0;
  std::int64_t per_octave_ = 1;
  double k_ = 1.0;
  double a_min_ = 1.0;
};

/// A piecewise polynomial of degree Degree on an OctaveGrid, stored per cell
/// as coefficients in the local coordinate u ∈ [0, 1] (u grows towards
/// smaller a), so an evaluation is one Horner sweep.
template <typename S, int Degree>
class GridPolynomial {
 public:
  static constexpr std::size_t kCoefficients = Degree + 1;
  GridPolynomial() = default;
  /// coef[(Degree+1) k + i] multiplies u^i in cell k.
  GridPolynomial(const OctaveGrid& grid, std::vector<S> coef) : grid_(grid), coef_(std::move(coef)) {}

  [[nodiscard]] const OctaveGrid& grid() const { return grid_; }

  /// Value in cell k at local coordinate u (double, or S for Newton steps).
  template <typename U>
  S value_in_cell(std::size_t k, const U& u) const {
    return horner<0>(&coef_[kCoefficients * k], u);
  }
  /// Values at redshifts z[i] into out[i] (same length). Returns the index of
  /// the first redshift outside the grid (out is then partly written), or
  /// z.size() when all were inside. Works on local copies of the grid and the
  /// coefficient pointer so that writes to out cannot force reloads.
  std::size_t values_z(std::span<const double> z, std::span<S> out) const {
    const OctaveGrid grid = grid_;
    const S* coef = coef_.data();
    for (std::size_t i = 0; i < z.size(); ++i) {
      std::size_t k;
      double u;
      if (!grid.locate_z(z[i], k, u)) return i;
      out[i] = horner<0>(coef + kCoefficients * k, u);
    }
    return z.size();
  }
  /// d/du in cell k at local coordinate u.
  template <typename U>
  S du_in_cell(std::size_t k, const U& u) const {
    const S* c = &coef_[kCoefficients * k];
    S sum = static_cast<double>(Degree) * c[Degree];
    for (int i = Degree - 1; i >= 1; --i) sum = static_cast<double>(i) * c[i] + u * sum;
    return sum;
  }

 private:
  /// c[I] + u (c[I+1] + u (...)), unrolled at compile time.
  template <int I, typename U>
  static S horner(const S* c, const U& u) {
    if constexpr (I == Degree) {
      return c[I];
    } else {
      return c[I] + u * horner<I + 1>(c, u);
    }
  }

  OctaveGrid grid_;
  std::vector<S> coef_;
};

/// Cubic Hermite coefficients (in u) of one cell of width w from the values
/// and slopes dy/da at its ends: node k (u = 0) and node k+1 (u = 1, smaller a).
template <typename S>
void hermite_cell(S* c, const S& y0, const S& dyda0, const S& y1, const S& dyda1, double w) {
  const S m0 = dyda0 * (-w);  // u runs towards smaller a: dy/du = -w dy/da
  const S m1 = dyda1 * (-w);
  const S dy = y1 - y0;
  c[0] = y0;
  c[1] = m0;
  c[2] = 3.0 * dy - 2.0 * m0 - m1;
  c[3] = m0 + m1 - 2.0 * dy;
}

/// Cubic Hermite coefficients on every cell of grid from node values y_k and
/// node slopes dy/da. Error O((Δa)^4 |d⁴y/da⁴|), Δa/a ≤ 1/K.
template <typename S>
std::vector<S> hermite_coefficients(const OctaveGrid& grid, const std::vector<S>& y, const std::vector<S>& dyda) {
  std::vector<S> coef(4 * grid.cells());
  for (std::size_t k = 0; k < grid.cells(); ++k)
    hermite_cell(&coef[4 * k], y[k], dyda[k], y[k + 1], dyda[k + 1], grid.width(k));
  return coef;
}

/// sinh(√y)/√y for y > 0, sin(√-y)/√-y for y < 0, 1 at y = 0: the factor
/// D_M/χ with y = Ω_k (χ/χ_H)². One entire function of y, so derivatives
/// with respect to Ω_k are exact also at and across Ω_k = 0.
template <typename S>
S sinc_curvature(const S& y) {
  using std::sin;
  using std::sinh;
  using std::sqrt;
  const double yv = value_of(y);
  if (yv > 1.0) {
    const S r = sqrt(y);
    return sinh(r) / r;
  }
  if (yv < -1.0) {
    const S r = sqrt(-y);
    return sin(r) / r;
  }
  // Taylor series Σ y^n/(2n+1)!, n ≤ 9: truncation < 1e-17 for |y| ≤ 1.
  constexpr int kTerms = 10;
  S sum(1.0);
  for (int n = kTerms - 1; n >= 1; --n) sum = 1.0 + y * sum * (1.0 / ((2.0 * n) * (2.0 * n + 1.0)));
  return sum;
}

}  // namespace detail

/// Grid settings of the distance table.
struct BackgroundAccuracy {
  double a_min = 1e-6;        ///< the table reaches down to a_min, rounded down to a power of two
  int cells_per_octave = 32;  ///< cells per factor of 2 in a (Δa/a ≤ 1/32): χ within ~5e-9 relative
};

namespace detail {
/// Octaves needed to reach a_min, with the settings checked.
inline int octaves_for(double a_min, int cells_per_octave, const char* who) {
  if (!(a_min > 0.0 && a_min < 1.0) || cells_per_octave < 2 || cells_per_octave > (1 << 20))
    throw Error(std::string("cosmo_core ") + who +
                ": accuracy needs 0 < a_min < 1 and 2 <= cells_per_octave <= 2^20, got a_min = " +
                format_value(a_min) + ", cells_per_octave = " + std::to_string(cells_per_octave));
  const int octaves = static_cast<int>(std::ceil(-std::log2(a_min) - 1e-12));
  if (octaves > 1000) throw Error(std::string("cosmo_core ") + who + ": a_min = " + format_value(a_min) + " too small");
  return std::max(octaves, 1);
}
}  // namespace detail

/// The Friedmann equation: density parameters today and E(a) = H(a)/H0.
/// Cheap to copy; shared by Background and Growth.
template <typename S>
struct Expansion {
  S omega_m{};   ///< matter (CDM + baryons) today
  S omega_r{};   ///< radiation (photons + massless neutrinos) today
  S omega_k{};   ///< curvature today (> 0 open)
  S omega_de{};  ///< dark energy today, 1 - Ω_m - Ω_r - Ω_k
  S w0{};        ///< CPL w(a) = w0 + wa (1 - a)
  S wa{};

  /// ρ_de(a)/ρ_de(1) = a^{-3(1+w0+wa)} exp(-3 wa (1 - a)), with x = ln a.
  S dark_energy_ratio(double a, double x) const {
    using std::exp;
    return exp((-3.0 * x) * (1.0 + w0 + wa) - (3.0 * (1.0 - a)) * wa);
  }
  /// E²(a) with x = ln a.
  S E2(double a, double x) const {
    const double ia = 1.0 / a;
    const double ia2 = ia * ia;
    return (omega_m * ia + omega_r * ia2 + omega_k) * ia2 + omega_de * dark_energy_ratio(a, x);
  }
  /// E²(a) and dE²/dln a together.
  void E2_and_slope(double a, double x, S& e2, S& de2) const {
    const double ia = 1.0 / a;
    const double ia2 = ia * ia;
    const S m = omega_m * (ia2 * ia);
    const S r = omega_r * (ia2 * ia2);
    const S k = omega_k * ia2;
    const S de = omega_de * dark_energy_ratio(a, x);
    e2 = m + r + k + de;
    // d ln ρ_de / d ln a = -3 (1 + w(a))
    de2 = -3.0 * m - 4.0 * r - 2.0 * k - 3.0 * (1.0 + w0 + (1.0 - a) * wa) * de;
  }
  /// Ω_m(a) = Ω_m a^-3 / E²(a).
  S omega_m_of_a(double a, double x) const { return omega_m / (a * a * a * E2(a, x)); }
};

template <typename S>
class Background {
 public:
  /// Tabulates χ(a). Throws orrery::Error for unphysical parameters (see top).
  explicit Background(const CosmologyParams<S>& p, const BackgroundAccuracy& accuracy = {})
      : accuracy_(accuracy) {
    validate(p);
    h_ = p.h;
    ex_.omega_m = p.omega_c + p.omega_b;
    ex_.omega_r = omega_radiation_h2(p.T_cmb, p.N_eff) / (p.h * p.h);
    ex_.omega_k = p.omega_k;
    ex_.omega_de = 1.0 - ex_.omega_m - ex_.omega_r - ex_.omega_k;
    ex_.w0 = p.w0;
    ex_.wa = p.wa;
    hubble_distance_ = kHubbleDistanceMpcH / p.h;
    curvature_ = ex_.omega_k / (hubble_distance_ * hubble_distance_);
    tabulate();
  }

  // --- expansion -----------------------------------------------------------
  /// E(a) = H(a)/H0, any a > 0.
  S E(double a) const {
    using std::sqrt;
    require_positive_a(a);
    return sqrt(ex_.E2(a, std::log(a)));
  }
  /// H(a) in km/s/Mpc.
  S H(double a) const { return (100.0 * h_) * E(a); }
  S h() const { return h_; }
  S omega_m() const { return ex_.omega_m; }
  S omega_r() const { return ex_.omega_r; }
  S omega_k() const { return ex_.omega_k; }
  S omega_de() const { return ex_.omega_de; }
  /// Ω_m(a) = Ω_m a^-3 / E²(a), any a > 0.
  S omega_m_of_a(double a) const {
    require_positive_a(a);
    return ex_.omega_m_of_a(a, std::log(a));
  }
  /// c/H0 in Mpc.
  S hubble_distance() const { return hubble_distance_; }
  const Expansion<S>& expansion() const { return ex_; }
  const BackgroundAccuracy& accuracy() const { return accuracy_; }
  /// Smallest tabulated scale factor (BackgroundAccuracy::a_min rounded down to a power of two).
  double a_min() const { return chi_.grid().a_min(); }

  // --- distances by scale factor, a ∈ [a_min, 1], in Mpc --------------------
  /// Comoving radial (line-of-sight) distance χ.
  S comoving_radial_distance(double a) const {
    std::size_t k;
    double u;
    if (!chi_.grid().locate(a, k, u)) throw_a_range(a);
    return chi_.value_in_cell(k, u);
  }
  /// Transverse comoving distance D_M: χ_H/√Ω_k sinh(√Ω_k χ/χ_H) (open),
  /// χ (flat), χ_H/√|Ω_k| sin(√|Ω_k| χ/χ_H) (closed).
  S transverse_comoving_distance(double a) const { return transverse_of_chi(comoving_radial_distance(a)); }
  /// D_A = a D_M.
  S angular_diameter_distance(double a) const { return a * transverse_comoving_distance(a); }
  /// D_L = D_M / a.
  S luminosity_distance(double a) const { return transverse_comoving_distance(a) / a; }
  /// μ = 5 log10(D_L / 10 pc) in magnitudes (-inf at a = 1).
  S distance_modulus(double a) const { return magnitudes(luminosity_distance(a)); }
  /// D_M for a given χ (both Mpc).
  S transverse_of_chi(const S& chi) const {
    if constexpr (std::is_same_v<S, double>) {
      if (ex_.omega_k == 0.0) return chi;
    }
    return chi * detail::sinc_curvature(curvature_ * chi * chi);
  }

  // --- the same by redshift, z ∈ [0, 1/a_min - 1] --------------------------
  S comoving_radial_distance_z(double z) const {
    std::size_t k;
    double u;
    if (!chi_.grid().locate_z(z, k, u)) throw_z_range(z);
    return chi_.value_in_cell(k, u);
  }
  S transverse_comoving_distance_z(double z) const { return transverse_of_chi(comoving_radial_distance_z(z)); }
  S angular_diameter_distance_z(double z) const { return transverse_comoving_distance_z(z) / (1.0 + z); }
  S luminosity_distance_z(double z) const { return transverse_comoving_distance_z(z) * (1.0 + z); }
  S distance_modulus_z(double z) const { return magnitudes(luminosity_distance_z(z)); }
  /// χ for many redshifts into a caller-owned buffer of the same length.
  void comoving_radial_distance_z(std::span<const double> z, std::span<S> chi) const {
    if (z.size() != chi.size())
      throw Error("cosmo_core Background::comoving_radial_distance_z: " + std::to_string(z.size()) +
                  " redshifts but " + std::to_string(chi.size()) + " outputs");
    const std::size_t bad = chi_.values_z(z, chi);
    if (bad < z.size()) throw_z_range(z[bad]);
  }

  // --- inverse ------------------------------------------------------------
  /// The scale factor at comoving radial distance chi (Mpc), 0 ≤ chi ≤ χ(a_min):
  /// the exact inverse of the interpolated χ(a), differentiable in chi and in
  /// the parameters. The cell is found and the root polished in double; two
  /// Newton steps in S arithmetic then carry exact first and second derivatives.
  S scale_factor_of_chi(const S& chi) const {
    const double c = value_of(chi);
    const std::size_t n = node_chi_.size() - 1;
    if (!(c >= 0.0) || c > node_chi_[n])
      throw Error("cosmo_core Background::scale_factor_of_chi: chi = " + detail::format_value(c) +
                  " Mpc outside the table [0, " + detail::format_value(node_chi_[n]) + "] Mpc (a_min = " +
                  detail::format_value(a_min()) + ")");
    // χ increases with the node index; find cell k with χ_k ≤ c ≤ χ_{k+1}.
    std::size_t lo = 0, hi = n;
    while (hi - lo > 1) {
      const std::size_t mid = (lo + hi) / 2;
      (node_chi_[mid] <= c ? lo : hi) = mid;
    }
    // Safeguarded Newton on the cell polynomial, in double.
    const double c0 = node_chi_[lo], c1 = node_chi_[lo + 1];
    double u = c1 > c0 ? (c - c0) / (c1 - c0) : 0.0;
    double ulo = 0.0, uhi = 1.0;
    for (int it = 0; it < 60; ++it) {
      const double f = value_of(chi_.value_in_cell(lo, u)) - c;
      if (f < 0.0) ulo = u; else uhi = u;
      double next = u - f / value_of(chi_.du_in_cell(lo, u));
      if (!(next >= ulo && next <= uhi)) next = 0.5 * (ulo + uhi);
      const bool done = std::abs(next - u) <= 1e-15;
      u = next;
      if (done) break;
    }
    S us(u);
    for (int it = 0; it < 2; ++it) us = us - (chi_.value_in_cell(lo, us) - chi) / chi_.du_in_cell(lo, us);
    // a is linear in u inside a cell.
    return chi_.grid().node(lo) - chi_.grid().width(lo) * us;
  }

 private:
  static void validate(const CosmologyParams<S>& p) {
    static constexpr Param kAll[] = {Param::omega_c, Param::omega_b, Param::h, Param::n_s,
                                     Param::sigma8, Param::omega_k, Param::w0, Param::wa};
    for (Param q : kAll) {
      const double v = value_of(p[q]);
      if (!std::isfinite(v))
        throw Error("cosmo_core Background: parameter " + std::string(kParamNames[static_cast<int>(q)]) +
                    " = " + detail::format_value(v) + " is not finite");
    }
    if (!(value_of(p.h) > 0.0))
      throw Error("cosmo_core Background: h must be > 0, got h = " + detail::format_value(value_of(p.h)));
    const double om = value_of(p.omega_c) + value_of(p.omega_b);
    if (!(om > 0.0))
      throw Error("cosmo_core Background: Omega_m = omega_c + omega_b must be > 0, got omega_c = " +
                  detail::format_value(value_of(p.omega_c)) + ", omega_b = " +
                  detail::format_value(value_of(p.omega_b)));
    if (!(p.T_cmb >= 0.0) || !std::isfinite(p.T_cmb))
      throw Error("cosmo_core Background: T_cmb must be >= 0 K, got " + detail::format_value(p.T_cmb));
    if (!(p.N_eff >= 0.0) || !std::isfinite(p.N_eff))
      throw Error("cosmo_core Background: N_eff must be >= 0, got " + detail::format_value(p.N_eff));
  }

  /// f = -dχ/da / χ_H = 1/(a² E(a)) and df/da at a (x = ln a), checking E² > 0.
  void integrand(double a, double x, S& f, S& df) const {
    using std::sqrt;
    S e2, de2;
    ex_.E2_and_slope(a, x, e2, de2);
    if (!(value_of(e2) > 0.0))
      throw Error("cosmo_core Background: E^2(a) = H^2/H0^2 = " + detail::format_value(value_of(e2)) +
                  " <= 0 at a = " + detail::format_value(a) + " (omega_m = " +
                  detail::format_value(value_of(ex_.omega_m)) + ", omega_k = " +
                  detail::format_value(value_of(ex_.omega_k)) + ", omega_de = " +
                  detail::format_value(value_of(ex_.omega_de)) + ", w0 = " + detail::format_value(value_of(ex_.w0)) +
                  ", wa = " + detail::format_value(value_of(ex_.wa)) + "): the universe does not expand there");
    f = 1.0 / ((a * a) * sqrt(e2));
    // d ln f / d ln a = -2 - (dE²/dln a) / (2 E²)
    df = (f / a) * (-2.0 - 0.5 * de2 / e2);
  }

  void tabulate() {
    const detail::OctaveGrid grid(detail::octaves_for(accuracy_.a_min, accuracy_.cells_per_octave, "Background"),
                                  accuracy_.cells_per_octave);
    const std::size_t n = grid.cells();
    const std::vector<double> x = grid.log_nodes();
    std::vector<S> f(n + 1), df(n + 1), chi(n + 1);
    for (std::size_t k = 0; k <= n; ++k) integrand(grid.node(k), x[k], f[k], df[k]);
    // Corrected trapezoid (Euler-Maclaurin with the exact end slopes) on
    // every cell, accumulated from a = 1; in units of χ_H. Error per cell
    // w^5 |d⁴f/da⁴| / 720: below 1e-10 relative for Δa/a ≤ 1/32.
    chi[0] = S(0.0);
    for (std::size_t k = 0; k < n; ++k) {
      const double w = grid.width(k);
      chi[k + 1] = chi[k] + (0.5 * w) * (f[k] + f[k + 1]) + (w * w / 12.0) * (df[k + 1] - df[k]);
    }
    // Interpolate q = χ/(1 - a), smooth and finite at a = 1, so that χ keeps
    // its relative accuracy as z → 0; dq/da = (dχ/da + q)/(1 - a), and at
    // a = 1 the limit f'(1)/2 (units of χ_H).
    std::vector<S> q(n + 1), dq(n + 1);
    q[0] = f[0];
    dq[0] = 0.5 * df[0];
    node_chi_.resize(n + 1);
    for (std::size_t k = 1; k <= n; ++k) {
      const double one_minus_a = 1.0 - grid.node(k);
      q[k] = chi[k] / one_minus_a;
      dq[k] = (q[k] - f[k]) / one_minus_a;
    }
    // χ = χ_H (α + β u) q(u) per cell, with 1 - a = α + β u: a quartic in u.
    const std::vector<S> cubic = detail::hermite_coefficients(grid, q, dq);
    std::vector<S> quartic(5 * n);
    for (std::size_t k = 0; k < n; ++k) {
      const double alpha = 1.0 - grid.node(k), beta = grid.width(k);
      const S* c = &cubic[4 * k];
      S* d = &quartic[5 * k];
      d[0] = alpha * c[0] * hubble_distance_;
      for (int i = 1; i < 4; ++i) d[i] = (alpha * c[i] + beta * c[i - 1]) * hubble_distance_;
      d[4] = beta * c[3] * hubble_distance_;
    }
    for (std::size_t k = 0; k <= n; ++k) node_chi_[k] = value_of(chi[k] * hubble_distance_);
    chi_ = detail::GridPolynomial<S, 4>(grid, std::move(quartic));
    // The sin form of D_M folds over at √|Ω_k| χ/χ_H = π.
    if (value_of(ex_.omega_k) < 0.0) {
      const double phase = std::sqrt(-value_of(ex_.omega_k)) * node_chi_[n] / value_of(hubble_distance_);
      if (phase >= std::numbers::pi)
        throw Error("cosmo_core Background: closed universe with omega_k = " +
                    detail::format_value(value_of(ex_.omega_k)) + ": sqrt(|omega_k|) chi/chi_H reaches " +
                    detail::format_value(phase) + " >= pi by a = " + detail::format_value(grid.a_min()) +
                    ", beyond which the transverse distance is not defined");
    }
  }

  static S magnitudes(const S& luminosity_distance) {
    using std::log;
    return (5.0 / std::numbers::ln10) * log(luminosity_distance) + 25.0;  // D_L in Mpc, 10 pc = 1e-5 Mpc
  }
  static void require_positive_a(double a) {
    if (!(a > 0.0) || !std::isfinite(a))
      throw Error("cosmo_core Background: scale factor must be > 0, got a = " + detail::format_value(a));
  }
  [[noreturn]] void throw_a_range(double a) const {
    throw Error("cosmo_core Background: scale factor a = " + detail::format_value(a) + " outside the table [" +
                detail::format_value(a_min()) + ", 1]");
  }
  [[noreturn]] void throw_z_range(double z) const {
    throw Error("cosmo_core Background: redshift z = " + detail::format_value(z) + " outside the table [0, " +
                detail::format_value(1.0 / a_min() - 1.0) + "]");
  }

  BackgroundAccuracy accuracy_;
  S h_{};
  Expansion<S> ex_;
  S hubble_distance_{};  // c/H0, Mpc
  S curvature_{};        // Ω_k / χ_H², Mpc^-2
  detail::GridPolynomial<S, 4> chi_;  // χ in Mpc
  std::vector<double> node_chi_;  // χ at the nodes, increasing (values only, for the inverse's search)
};

}  // namespace orrery::cosmo
