// Finite-difference references for checking exact (Dual) derivatives.
#pragma once

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>

#include "cosmo_core/cosmology_params.hpp"

namespace orrery::test {

/// Eighth-order central difference of f at x with step h.
inline double derivative8(const std::function<double(double)>& f, double x, double h) {
  static constexpr std::array<double, 4> c = {4.0 / 5.0, -1.0 / 5.0, 4.0 / 105.0, -1.0 / 280.0};
  double d = 0;
  for (int j = 1; j <= 4; ++j) d += c[static_cast<std::size_t>(j - 1)] * (f(x + j * h) - f(x - j * h));
  return d / h;
}

/// Finite-difference step for parameter p (relative 1e-3, absolute near 0).
inline double fd_step(cosmo::Param p, double value) {
  return 1e-3 * std::max(std::abs(value), p == cosmo::Param::omega_k ? 1.0 : 0.05);
}

/// Compares exact (ad) and finite-difference (fd) derivatives of a quantity
/// of size `scale`: relative agreement 1e-6 where the derivative matters
/// (|fd| ≥ 1e-3 scale per unit parameter), and |ad - fd| ≤ 1e-9 scale where it
/// is (nearly) zero and fd is mostly rounding noise. `worst` is the largest
/// relative difference among the significant derivatives.
struct GradientCheck {
  double worst = 0;
  int significant = 0, negligible = 0;
  void add(double ad, double fd, double scale) {
    if (std::abs(fd) >= 1e-3 * std::abs(scale)) {
      const double err = std::abs(ad / fd - 1.0);
      worst = std::max(worst, err);
      ++significant;
      CHECK(err <= 1e-6);
    } else {
      ++negligible;
      CHECK(std::abs(ad - fd) <= 1e-9 * std::abs(scale));
    }
  }
};

}  // namespace orrery::test
