// Dual<T, N>: forward-mode automatic differentiation with N directions.
//
// A Dual carries a value and its N partial derivatives. Every cosmology routine
// is written once, generic in its scalar type S, and instantiated with
//   double                       values only,
//   Dual<double, N>              values and exact gradients,
//   Dual<Dual<double, N>, N>     values, gradients and exact Hessians.
// Generic code calls math functions unqualified after `using std::exp;` etc.,
// so argument-dependent lookup picks the overloads below for Duals.
//
// Branches on a Dual compare values only (derivatives follow the branch taken),
// which is what fixed-grid quadratures and ODE steps need.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>

namespace orrery::cosmo {

template <typename T, int N>
struct Dual {
  T val{};
  std::array<T, N> d{};

  constexpr Dual() = default;
  constexpr Dual(double v) : val(v) {}  // NOLINT(google-explicit-constructor): constants mix freely
  template <typename U = T, typename = std::enable_if_t<!std::is_same_v<U, double>>>
  constexpr Dual(const T& v) : val(v) {}  // NOLINT(google-explicit-constructor)
  constexpr Dual(const T& v, const std::array<T, N>& grad) : val(v), d(grad) {}

  /// The independent variable number i (0-based) with value v: d/dx_i = 1.
  static constexpr Dual variable(const T& v, int i) {
    Dual x(v);
    x.d[static_cast<std::size_t>(i)] = T(1.0);
    return x;
  }

  constexpr Dual& operator+=(const Dual& o) {
    val += o.val;
    for (int i = 0; i < N; ++i) d[i] += o.d[i];
    return *this;
  }
  constexpr Dual& operator-=(const Dual& o) {
    val -= o.val;
    for (int i = 0; i < N; ++i) d[i] -= o.d[i];
    return *this;
  }
  constexpr Dual& operator*=(const Dual& o) {
    for (int i = 0; i < N; ++i) d[i] = d[i] * o.val + val * o.d[i];
    val *= o.val;
    return *this;
  }
  constexpr Dual& operator/=(const Dual& o) {
    const T inv = T(1.0) / o.val;
    val *= inv;
    for (int i = 0; i < N; ++i) d[i] = (d[i] - val * o.d[i]) * inv;
    return *this;
  }
};

/// Applies a function with value f and derivative df (both at x.val) to x.
template <typename T, int N>
constexpr Dual<T, N> chain(const Dual<T, N>& x, const T& f, const T& df) {
  Dual<T, N> r(f);
  for (int i = 0; i < N; ++i) r.d[i] = df * x.d[i];
  return r;
}

// Arithmetic (Dual with Dual, and with plain doubles on either side).
template <typename T, int N> constexpr Dual<T, N> operator+(Dual<T, N> a, const Dual<T, N>& b) { return a += b; }
template <typename T, int N> constexpr Dual<T, N> operator-(Dual<T, N> a, const Dual<T, N>& b) { return a -= b; }
template <typename T, int N> constexpr Dual<T, N> operator*(Dual<T, N> a, const Dual<T, N>& b) { return a *= b; }
template <typename T, int N> constexpr Dual<T, N> operator/(Dual<T, N> a, const Dual<T, N>& b) { return a /= b; }
template <typename T, int N> constexpr Dual<T, N> operator+(Dual<T, N> a, double b) { a.val += b; return a; }
template <typename T, int N> constexpr Dual<T, N> operator+(double b, Dual<T, N> a) { a.val += b; return a; }
template <typename T, int N> constexpr Dual<T, N> operator-(Dual<T, N> a, double b) { a.val -= b; return a; }
template <typename T, int N> constexpr Dual<T, N> operator-(double b, const Dual<T, N>& a) { return Dual<T, N>(b) - a; }
template <typename T, int N> constexpr Dual<T, N> operator*(Dual<T, N> a, double b) {
  a.val *= b;
  for (auto& x : a.d) x *= b;
  return a;
}
template <typename T, int N> constexpr Dual<T, N> operator*(double b, Dual<T, N> a) { return a * b; }
template <typename T, int N> constexpr Dual<T, N> operator/(Dual<T, N> a, double b) { return a * (1.0 / b); }
template <typename T, int N> constexpr Dual<T, N> operator/(double b, const Dual<T, N>& a) { return Dual<T, N>(b) / a; }
template <typename T, int N> constexpr Dual<T, N> operator-(Dual<T, N> a) {
  a.val = -a.val;
  for (auto& x : a.d) x = -x;
  return a;
}
template <typename T, int N> constexpr Dual<T, N> operator+(const Dual<T, N>& a) { return a; }

// Comparisons look at values only.
template <typename T, int N> constexpr bool operator<(const Dual<T, N>& a, const Dual<T, N>& b) { return a.val < b.val; }
template <typename T, int N> constexpr bool operator>(const Dual<T, N>& a, const Dual<T, N>& b) { return a.val > b.val; }
template <typename T, int N> constexpr bool operator<=(const Dual<T, N>& a, const Dual<T, N>& b) { return a.val <= b.val; }
template <typename T, int N> constexpr bool operator>=(const Dual<T, N>& a, const Dual<T, N>& b) { return a.val >= b.val; }
template <typename T, int N> constexpr bool operator<(const Dual<T, N>& a, double b) { return a.val < b; }
template <typename T, int N> constexpr bool operator>(const Dual<T, N>& a, double b) { return a.val > b; }
template <typename T, int N> constexpr bool operator<=(const Dual<T, N>& a, double b) { return a.val <= b; }
template <typename T, int N> constexpr bool operator>=(const Dual<T, N>& a, double b) { return a.val >= b; }
template <typename T, int N> constexpr bool operator<(double a, const Dual<T, N>& b) { return a < b.val; }
template <typename T, int N> constexpr bool operator>(double a, const Dual<T, N>& b) { return a > b.val; }

// Elementary functions. Each uses only functions that are themselves
// overloaded for T, so nesting (Hessians) works.
template <typename T, int N> Dual<T, N> exp(const Dual<T, N>& x) {
  using std::exp;
  const T e = exp(x.val);
  return chain(x, e, e);
}
template <typename T, int N> Dual<T, N> log(const Dual<T, N>& x) {
  using std::log;
  return chain(x, log(x.val), T(1.0) / x.val);
}
template <typename T, int N> Dual<T, N> log1p(const Dual<T, N>& x) {
  using std::log1p;
  return chain(x, log1p(x.val), T(1.0) / (T(1.0) + x.val));
}
template <typename T, int N> Dual<T, N> sqrt(const Dual<T, N>& x) {
  using std::sqrt;
  const T s = sqrt(x.val);
  return chain(x, s, T(0.5) / s);
}
template <typename T, int N> Dual<T, N> cbrt(const Dual<T, N>& x) {
  using std::cbrt;
  const T c = cbrt(x.val);
  return chain(x, c, T(1.0) / (T(3.0) * c * c));
}
/// x^p for a constant exponent p (x > 0 unless p is an integer).
template <typename T, int N> Dual<T, N> pow(const Dual<T, N>& x, double p) {
  using std::pow;
  const T xp1 = pow(x.val, p - 1.0);
  return chain(x, xp1 * x.val, T(p) * xp1);
}
/// x^y with both variable: exp(y log x), x > 0.
template <typename T, int N> Dual<T, N> pow(const Dual<T, N>& x, const Dual<T, N>& y) { return exp(y * log(x)); }
/// a^y for a constant base a > 0.
template <typename T, int N> Dual<T, N> pow(double a, const Dual<T, N>& y) { return exp(y * std::log(a)); }
template <typename T, int N> Dual<T, N> sin(const Dual<T, N>& x) {
  using std::cos;
  using std::sin;
  return chain(x, sin(x.val), cos(x.val));
}
template <typename T, int N> Dual<T, N> cos(const Dual<T, N>& x) {
  using std::cos;
  using std::sin;
  return chain(x, cos(x.val), -sin(x.val));
}
template <typename T, int N> Dual<T, N> sinh(const Dual<T, N>& x) {
  using std::cosh;
  using std::sinh;
  return chain(x, sinh(x.val), cosh(x.val));
}
template <typename T, int N> Dual<T, N> cosh(const Dual<T, N>& x) {
  using std::cosh;
  using std::sinh;
  return chain(x, cosh(x.val), sinh(x.val));
}
template <typename T, int N> Dual<T, N> atan(const Dual<T, N>& x) {
  using std::atan;
  return chain(x, atan(x.val), T(1.0) / (T(1.0) + x.val * x.val));
}
template <typename T, int N> Dual<T, N> abs(const Dual<T, N>& x) { return x.val < 0.0 ? -x : x; }
template <typename T, int N> Dual<T, N> fabs(const Dual<T, N>& x) { return abs(x); }
template <typename T, int N> bool isfinite(const Dual<T, N>& x) {
  using std::isfinite;
  return isfinite(x.val);
}

/// The plain value of a scalar (double or nested Dual).
inline constexpr double value_of(double x) { return x; }
template <typename T, int N> constexpr double value_of(const Dual<T, N>& x) { return value_of(x.val); }

}  // namespace orrery::cosmo
