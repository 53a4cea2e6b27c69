// Growth<S>: linear (first-order) and second-order (2LPT) growth factors.
//
// Contract
//   Built from a Background<S> (copies its Friedmann equation; the Background
//   may be destroyed afterwards). Generic in S like Background: derivatives
//   are exact derivatives of the discretised computation. Scale factors must
//   lie in [a_init, 1] (GrowthAccuracy), redshifts in [0, 1/a_init - 1].
//
//   With x = ln a, ' = d/dx, ε = dln E/dx and Ω_m(a) = Ω_m a^-3/E²:
//     D''  + (2 + ε) D'  = (3/2) Ω_m(a) D
//     D2'' + (2 + ε) D2' = (3/2) Ω_m(a) (D2 - D²)
//   Scale-independent, GR only; all of Ω_m clusters, radiation is smooth.
//
// Normalisation
//   growth_factor_unnormalised: the growing mode with D → a deep in matter
//   domination (CCL's convention). Without radiation D = a (1 - (4/7)(Ω_k/Ω_m) a
//   + ...) at early times; with radiation the initial condition is Mészáros'
//   exact matter+radiation growing mode D = a + (2/3) a_eq, a_eq = Ω_r/Ω_m.
//   growth_factor: D(a)/D(1).
//   growth_factor_2: the second-order growth factor D2 with no first-order
//   (homogeneous) admixture, D2/D → 0 as a → 0, in the normalisation of
//   growth_factor (D2_unnormalised / D(1)²). Without radiation this is
//   D2 → -(3/7) D² at early times (and D2 ≈ -(3/7) D² Ω_m(a)^{-1/143} later);
//   with radiation D2 starts from the matter+radiation series solution and
//   reaches -(3/7) D² only for a ≫ a_eq (relative offset O(a_eq/a)).
//   The sign is that of 2LPT, Ψ⁽²⁾ = D2 ∇φ⁽²⁾ with φ⁽²⁾ the usual source.
//
// Method
//   Classical RK4, one step per cell of the same octave grid as Background
//   (cells uniform in a inside each factor of 2, Δa/a ≤ 1/32 by default),
//   from a_init (default 1e-6) to 1. Every node stores D, D', D2, D2' and
//   their exact ODE derivatives, and queries use cubic Hermite interpolation.
//   Default accuracy: D within ~3e-9, f and D2 within ~3e-8 relative of the
//   converged values.
//
// Throws orrery::Error for E² ≤ 0 on the grid, for a_init not well inside
// the radiation era when radiation is present (a_init > a_eq/2; lower a_init
// or set T_cmb = 0), and for scale factors outside [a_init, 1].
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "cosmo_core/background.hpp"

namespace orrery::cosmo {

struct GrowthAccuracy {
  double a_init = 1e-6;       ///< start of the integration, rounded down to a power of two
  int cells_per_octave = 32;  ///< RK4 steps (and table cells) per factor of 2 in a
};

template <typename S>
class Growth {
 public:
  explicit Growth(const Background<S>& background, const GrowthAccuracy& accuracy = {})
      : ex_(background.expansion()) {
    integrate(detail::OctaveGrid(detail::octaves_for(accuracy.a_init, accuracy.cells_per_octave, "Growth"),
                                 accuracy.cells_per_octave));
  }

  /// D(a)/D(1).
  S growth_factor(double a) const {
    const Cell c = cell(a);
    return d_.value_in_cell(c.k, c.u) * inv_d1_;
  }
  /// D(a) with D → a deep in matter domination.
  S growth_factor_unnormalised(double a) const {
    const Cell c = cell(a);
    return d_.value_in_cell(c.k, c.u);
  }
  /// f = dln D/dln a.
  S growth_rate(double a) const {
    const Cell c = cell(a);
    return dp_.value_in_cell(c.k, c.u) / d_.value_in_cell(c.k, c.u);
  }
  /// The approximation f ≈ Ω_m(a)^γ.
  S growth_rate_gamma(double a, double gamma = 0.55) const {
    using std::pow;
    cell(a);  // range check
    return pow(ex_.omega_m_of_a(a, std::log(a)), gamma);
  }
  /// D2(a) / D(1)², with D2 → -(3/7) D² at early times (see top).
  S growth_factor_2(double a) const {
    const Cell c = cell(a);
    return d2_.value_in_cell(c.k, c.u) * (inv_d1_ * inv_d1_);
  }
  /// D2 in the normalisation of growth_factor_unnormalised.
  S growth_factor_2_unnormalised(double a) const {
    const Cell c = cell(a);
    return d2_.value_in_cell(c.k, c.u);
  }
  /// f2 = dln D2/dln a (≈ 2 Ω_m(a)^{6/11} in ΛCDM), for 2LPT velocities.
  S growth_rate_2(double a) const {
    const Cell c = cell(a);
    return d2p_.value_in_cell(c.k, c.u) / d2_.value_in_cell(c.k, c.u);
  }

  /// The same by redshift z ∈ [0, 1/a_init - 1].
  S growth_factor_z(double z) const { return growth_factor(1.0 / (1.0 + z)); }
  S growth_rate_z(double z) const { return growth_rate(1.0 / (1.0 + z)); }

  /// Smallest tabulated scale factor (GrowthAccuracy::a_init rounded down to a power of two).
  double a_init() const { return d_.grid().a_min(); }

 private:
  using State = std::array<S, 4>;  // D, D', D2, D2'

  /// Coefficients of the ODE in a at scale factor a: (2 + ε)/a and
  /// (3/2) Ω_m(a)/a, with 1/a.
  struct Coefficients {
    S friction;
    S source;
    double inv_a;
  };
  Coefficients coefficients(double a, double x) const {
    S e2, de2;
    ex_.E2_and_slope(a, x, e2, de2);
    if (!(value_of(e2) > 0.0))
      throw Error("cosmo_core Growth: E^2(a) = " + detail::format_value(value_of(e2)) + " <= 0 at a = " +
                  detail::format_value(a));
    const double inv_a = 1.0 / a;
    const S inv_e2 = inv_a / e2;
    return {2.0 * inv_a + 0.5 * de2 * inv_e2, (1.5 * inv_a * inv_a * inv_a) * ex_.omega_m * inv_e2, inv_a};
  }
  /// dY/da = F(Y)/a for Y = (D, D', D2, D2').
  static State rhs(const State& y, const Coefficients& c) {
    return {y[1] * c.inv_a, c.source * y[0] - c.friction * y[1], y[3] * c.inv_a,
            c.source * (y[2] - y[0] * y[0]) - c.friction * y[3]};
  }
  static State axpy(const State& y, double h, const State& k) {
    return {y[0] + h * k[0], y[1] + h * k[1], y[2] + h * k[2], y[3] + h * k[3]};
  }

  State initial_state(double a) const {
    const double omega_r = value_of(ex_.omega_r);
    if (omega_r == 0.0) {
      // Matter era with curvature: D = a (1 + β a), β = -(4/7) Ω_k/Ω_m, and
      // the particular second-order mode D2 = -(3/7) D². Dark-energy
      // corrections are O((Ω_de/Ω_m) a^{-3(w0+wa)}), negligible for w0 + wa < -0.3.
      const S beta = (-4.0 / 7.0) * ex_.omega_k / ex_.omega_m;
      const S d = a * (1.0 + beta * a);
      const S dp = a * (1.0 + 2.0 * beta * a);
      return {d, dp, (-3.0 / 7.0) * d * d, (-6.0 / 7.0) * d * dp};
    }
    // Matter + radiation, y = a/a_eq: D ∝ 1 + 3y/2 (Mészáros), and the D2
    // solution vanishing at y = 0, D2 ∝ Σ q_k y^k with q_1 = -3/2, q_2 = -9/8,
    // q_3 = 1/16, q_{k+1} = -(2k+3)(k-1) q_k / (2 (k+1)²) (radius 1).
    const S a_eq = ex_.omega_r / ex_.omega_m;
    const S y = a / a_eq;
    if (value_of(y) > 0.5)
      throw Error("cosmo_core Growth: a_init = " + detail::format_value(a) +
                  " is not deep in the radiation era (a_eq = Omega_r/Omega_m = " +
                  detail::format_value(value_of(a_eq)) + "); lower GrowthAccuracy::a_init below a_eq/2");
    constexpr int kTerms = 64;  // 0.5^64 < 1e-19
    std::array<double, kTerms + 1> q{};
    q[1] = -1.5;
    q[2] = -9.0 / 8.0;
    q[3] = 1.0 / 16.0;
    for (int k = 3; k < kTerms; ++k) q[k + 1] = -(2.0 * k + 3.0) * (k - 1.0) * q[k] / (2.0 * (k + 1.0) * (k + 1.0));
    S series(0.0), series_dx(0.0);  // Σ q_k y^{k-1} and Σ k q_k y^{k-1}
    for (int k = kTerms; k >= 1; --k) {
      series = q[k] + y * series;
      series_dx = k * q[k] + y * series_dx;
    }
    const S unit = (2.0 / 3.0) * a_eq;  // D = unit (1 + 3y/2)
    const S unit2y = unit * unit * y;
    return {unit + a, S(a), unit2y * series, unit2y * series_dx};
  }

  /// RK4 in a from the smallest node up to a = 1 (node 0), one step per cell:
  /// dY/da = F(Y, a)/a with F the ln a form above. Each cell's Hermite
  /// coefficients are filled as soon as both its end nodes are known.
  void integrate(const detail::OctaveGrid& grid) {
    const std::size_t n = grid.cells();
    const std::vector<double> x_node = grid.log_nodes(), x_mid = grid.log_nodes(0.5);
    std::array<std::vector<S>, 4> coef;
    for (auto& c : coef) c.resize(4 * n);
    double a = grid.node(n);
    State y = initial_state(a);
    State slope = rhs(y, coefficients(a, x_node[n]));
    for (std::size_t k = n; k-- > 0;) {
      // Step over cell k, from node k+1 (a) to node k (a + h).
      const double h = grid.width(k);
      const double a_mid = a + 0.5 * h;
      const double a_next = grid.node(k);
      const Coefficients c_mid = coefficients(a_mid, x_mid[k]);
      const Coefficients c_next = coefficients(a_next, x_node[k]);
      const State k2 = rhs(axpy(y, 0.5 * h, slope), c_mid);
      const State k3 = rhs(axpy(y, 0.5 * h, k2), c_mid);
      const State k4 = rhs(axpy(y, h, k3), c_next);
      State y_next;
      for (std::size_t i = 0; i < 4; ++i) y_next[i] = y[i] + (h / 6.0) * (slope[i] + 2.0 * (k2[i] + k3[i]) + k4[i]);
      const State slope_next = rhs(y_next, c_next);
      for (std::size_t i = 0; i < 4; ++i)
        detail::hermite_cell(&coef[i][4 * k], y_next[i], slope_next[i], y[i], slope[i], h);
      y = y_next;
      slope = slope_next;
      a = a_next;
    }
    d_ = detail::GridPolynomial<S, 3>(grid, std::move(coef[0]));
    dp_ = detail::GridPolynomial<S, 3>(grid, std::move(coef[1]));
    d2_ = detail::GridPolynomial<S, 3>(grid, std::move(coef[2]));
    d2p_ = detail::GridPolynomial<S, 3>(grid, std::move(coef[3]));
    inv_d1_ = 1.0 / y[0];
  }

  struct Cell {
    std::size_t k;
    double u;
  };
  Cell cell(double a) const {
    Cell c{};
    if (!d_.grid().locate(a, c.k, c.u))
      throw Error("cosmo_core Growth: scale factor a = " + detail::format_value(a) + " outside the table [" +
                  detail::format_value(a_init()) + ", 1]");
    return c;
  }

  Expansion<S> ex_;
  detail::GridPolynomial<S, 3> d_, dp_, d2_, d2p_;  // D, D', D2, D2' (unnormalised; D' = dD/dln a)
  S inv_d1_{};                                // 1 / D(1)
};

}  // namespace orrery::cosmo
