// Dual numbers (cosmo_core/dual.hpp): first derivatives of every elementary
// function and of the arithmetic operators, gradients of a composite
// expression, and Hessians through nested Duals, all against sixth-order
// central finite differences of plain double evaluations.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <functional>
#include <string>

#include "cosmo_core/dual.hpp"

namespace {

using orrery::cosmo::Dual;
using orrery::cosmo::value_of;
using D1 = Dual<double, 1>;
using DD1 = Dual<D1, 1>;

/// f'(x) by the sixth-order central difference with step h.
double fd1(const std::function<double(double)>& f, double x, double h) {
  return (f(x + 3 * h) - 9 * f(x + 2 * h) + 45 * f(x + h) - 45 * f(x - h) + 9 * f(x - 2 * h) - f(x - 3 * h)) /
         (60 * h);
}
/// f''(x) by the sixth-order central difference with step h.
double fd2(const std::function<double(double)>& f, double x, double h) {
  return (2 * f(x + 3 * h) - 27 * f(x + 2 * h) + 270 * f(x + h) - 490 * f(x) + 270 * f(x - h) -
          27 * f(x - 2 * h) + 2 * f(x - 3 * h)) /
         (180 * h * h);
}

bool close(double got, double want, double rtol, double atol = 1e-12) {
  return std::abs(got - want) <= atol + rtol * std::abs(want);
}

/// Checks value, first derivative (Dual) and second derivative (nested Dual)
/// of a function written once, generically, against finite differences.
template <typename F>
void check_function(const std::string& name, F f, double x) {
  INFO(name << " at x = " << x);
  const double value = f(x);
  const D1 d1 = f(D1::variable(x, 0));
  DD1 xx(D1::variable(x, 0));
  xx.d[0] = D1(1.0);
  const DD1 d2 = f(xx);
  const std::function<double(double)> g = [&](double t) { return f(t); };
  const double first = fd1(g, x, 1e-3);
  const double second = fd2(g, x, 1e-2);
  INFO("f' = " << d1.d[0] << " (FD " << first << "), f'' = " << d2.d[0].d[0] << " (FD " << second << ")");
  // Values agree with the double evaluation up to rounding (Duals divide by
  // multiplying with the reciprocal).
  CHECK(close(d1.val, value, 1e-14));
  CHECK(close(value_of(d2), value, 1e-14));
  const double atol = 1e-9 * (1.0 + std::abs(value));  // finite-difference rounding for vanishing derivatives
  CHECK(close(d1.d[0], first, 1e-8, atol));
  CHECK(close(d2.val.d[0], d1.d[0], 1e-14));  // the inner and outer first derivatives agree
  CHECK(close(d2.d[0].val, d1.d[0], 1e-14));
  CHECK(close(d2.d[0].d[0], second, 1e-6, atol));
}

// One generic definition per elementary function (unqualified calls: ADL).
#define ORRERY_DUAL_CASE(name, expr)                    \
  struct name##_case {                                  \
    template <typename T>                               \
    T operator()(const T& x) const {                    \
      using std::abs, std::atan, std::cbrt, std::cos;   \
      using std::cosh, std::exp, std::fabs, std::log;   \
      using std::log1p, std::pow, std::sin, std::sinh;  \
      using std::sqrt;                                  \
      return expr;                                      \
    }                                                   \
  };

ORRERY_DUAL_CASE(exp, exp(x))
ORRERY_DUAL_CASE(log, log(x))
ORRERY_DUAL_CASE(log1p, log1p(x))
ORRERY_DUAL_CASE(sqrt, sqrt(x))
ORRERY_DUAL_CASE(cbrt, cbrt(x))
ORRERY_DUAL_CASE(pow_const, pow(x, 2.7))
ORRERY_DUAL_CASE(pow_negative, pow(x, -1.3))
ORRERY_DUAL_CASE(pow_both, pow(x, x))
ORRERY_DUAL_CASE(pow_base, pow(2.5, x))
ORRERY_DUAL_CASE(sin, sin(x))
ORRERY_DUAL_CASE(cos, cos(x))
ORRERY_DUAL_CASE(sinh, sinh(x))
ORRERY_DUAL_CASE(cosh, cosh(x))
ORRERY_DUAL_CASE(atan, atan(x))
ORRERY_DUAL_CASE(abs_negative, abs(x - 2.0))
ORRERY_DUAL_CASE(fabs_positive, fabs(x))
ORRERY_DUAL_CASE(arithmetic_dual, (x * x + x) / (x + 0.3) - x * (1.0 / x) + (-x) - (x - x * x) / x)
ORRERY_DUAL_CASE(arithmetic_double, 2.0 * x + x * 3.0 - 1.5 / x + x / 4.0 - (2.0 - x) + (x + 1.0) - (x - 1.0))
#undef ORRERY_DUAL_CASE

struct compound_case {
  template <typename T>
  T operator()(const T& x) const {
    T y = x;
    y += x * x;
    y -= 0.5 * x;
    y *= x + 1.0;
    y /= x * x + 2.0;
    return y;
  }
};

/// A composite of three variables touching every operation.
struct Composite {
  template <typename T>
  T operator()(const std::array<T, 3>& v) const {
    using std::atan, std::cbrt, std::cos, std::exp, std::log, std::log1p, std::pow, std::sin, std::sinh,
        std::sqrt;
    const T& x = v[0];
    const T& y = v[1];
    const T& z = v[2];
    return exp(x * y) / sqrt(1.0 + z * z) + log(x + z) * sin(y) - pow(x, 1.5) * atan(z) + cbrt(y * z) +
           sinh(0.3 * x) * cos(z) / (2.0 + log1p(y)) + pow(x, y) - pow(3.0, z) / x;
  }
};

}  // namespace

TEST_CASE("Each elementary function: first and second derivatives match finite differences", "[dual]") {
  for (double x : {0.37, 1.3, 2.9}) {
    check_function("exp", exp_case{}, x);
    check_function("log", log_case{}, x);
    check_function("log1p", log1p_case{}, x);
    check_function("sqrt", sqrt_case{}, x);
    check_function("cbrt", cbrt_case{}, x);
    check_function("pow(x, 2.7)", pow_const_case{}, x);
    check_function("pow(x, -1.3)", pow_negative_case{}, x);
    check_function("pow(x, x)", pow_both_case{}, x);
    check_function("pow(2.5, x)", pow_base_case{}, x);
    check_function("sin", sin_case{}, x);
    check_function("cos", cos_case{}, x);
    check_function("sinh", sinh_case{}, x);
    check_function("cosh", cosh_case{}, x);
    check_function("atan", atan_case{}, x);
    check_function("abs(x - 2)", abs_negative_case{}, x);
    check_function("fabs(x)", fabs_positive_case{}, x);
    check_function("Dual-Dual arithmetic", arithmetic_dual_case{}, x);
    check_function("Dual-double arithmetic", arithmetic_double_case{}, x);
    check_function("compound assignment", compound_case{}, x);
  }
}

TEST_CASE("Gradient of a composite expression matches finite differences", "[dual]") {
  using D3 = Dual<double, 3>;
  const std::array<double, 3> x0 = {1.1, 0.7, 0.45};
  const std::array<D3, 3> xd = {D3::variable(x0[0], 0), D3::variable(x0[1], 1), D3::variable(x0[2], 2)};
  const D3 f = Composite{}(xd);
  CHECK(close(f.val, Composite{}(x0), 1e-14));
  for (int i = 0; i < 3; ++i) {
    const std::function<double(double)> g = [&](double t) {
      auto x = x0;
      x[static_cast<std::size_t>(i)] = t;
      return Composite{}(x);
    };
    INFO("d/dx" << i);
    CHECK(close(f.d[static_cast<std::size_t>(i)], fd1(g, x0[static_cast<std::size_t>(i)], 1e-3), 1e-8));
  }
}

TEST_CASE("Hessian through nested Duals matches finite differences", "[dual]") {
  using D3 = Dual<double, 3>;
  using DD3 = Dual<D3, 3>;
  const std::array<double, 3> x0 = {1.1, 0.7, 0.45};
  std::array<DD3, 3> xdd;
  for (int i = 0; i < 3; ++i) {
    xdd[static_cast<std::size_t>(i)] = DD3(D3::variable(x0[static_cast<std::size_t>(i)], i));
    xdd[static_cast<std::size_t>(i)].d[static_cast<std::size_t>(i)] = D3(1.0);
  }
  const DD3 f = Composite{}(xdd);
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 3; ++j) {
      INFO("d2/dx" << i << "dx" << j);
      // Symmetric, and the outer and inner first derivatives agree.
      CHECK(f.d[i].d[j] == Approx(f.d[j].d[i]).epsilon(1e-14));
      CHECK(f.d[i].val == Approx(f.val.d[i]).epsilon(1e-14));
      // Against finite differences of the value: d/dx_j of (d/dx_i by FD).
      const std::function<double(double)> di = [&](double t) {
        auto x = x0;
        x[j] = t;
        const std::function<double(double)> g = [&](double s) {
          auto y = x;
          y[i] = s;
          return Composite{}(y);
        };
        return fd1(g, x[i], 1e-3);
      };
      const double fd = i == j ? fd2(
                                     [&](double t) {
                                       auto x = x0;
                                       x[i] = t;
                                       return Composite{}(x);
                                     },
                                     x0[i], 1e-2)
                               : fd1(di, x0[j], 1e-2);
      CHECK(close(f.d[i].d[j], fd, 1e-6, 1e-9));
    }
  }
}

TEST_CASE("Comparisons use values and value_of unwraps nested Duals", "[dual]") {
  using D2 = Dual<double, 2>;
  const D2 a = D2::variable(1.0, 0);
  const D2 b = D2::variable(2.0, 1);
  CHECK(a < b);
  CHECK(b > a);
  CHECK(a <= 1.0);
  CHECK(a >= 1.0);
  CHECK(0.5 < a);
  CHECK(3.0 > b);
  CHECK(value_of(Dual<D2, 2>(D2(4.5))) == 4.5);
  CHECK(isfinite(a));
  CHECK_FALSE(isfinite(D2(std::numeric_limits<double>::infinity())));
}
