// The rational-quadratic spline of Neural Spline Flows (nde/rq_spline.hpp): agreement with a
// direct long-double evaluation of the paper's formulas, inversion, log-slope against finite
// differences, monotonicity, identity initialisation, the identity tails, and the hand-written
// reverse-mode gradient against central finite differences.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "orrery/error.hpp"
#include "orrery/random.hpp"
#include "rq_spline.hpp"

using orrery::RandomStream;
using orrery::nde::RqSpline;
using orrery::nde::RqSplineConfig;
using Eigen::Index;

namespace {

template <typename T>
using M = orrery::nn::Matrix<T>;

RqSplineConfig config_with_bins(Index K) {
  RqSplineConfig c;
  c.bins = K;
  return c;
}

// Inputs uniform on [−lo, lo] (B = 3 by default, so a quarter of them lie in the tails),
// plus the two tail bounds themselves in the first row.
template <typename T>
M<T> random_inputs(Index n, Index D, RandomStream& rng, double lo = 4.0) {
  M<T> x(n, D);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < D; ++j) x(i, j) = static_cast<T>(rng.uniform(-lo, lo));
  x(0, 0) = T(-3);
  if (D > 1) x(0, 1) = T(3);
  return x;
}

template <typename T>
M<T> random_params(Index n, Index cols, RandomStream& rng, double sd = 1.5) {
  M<T> p(n, cols);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < cols; ++j) p(i, j) = static_cast<T>(sd * rng.normal());
  return p;
}

// The spline of one variable straight from the definition, in long double: every knot first,
// then the bin formula (paper eq. 4) and its derivative (eq. 5).
struct Direct {
  long double y, slope;
};

Direct direct(const RqSplineConfig& c, const double* raw, double x) {
  const Index K = c.bins;
  const long double B = c.tail_bound;
  if (x < -B || x > B) return {x, 1.0L};
  auto knots = [&](const double* r, double min_frac) {
    long double top = r[0], sum = 0;
    for (Index k = 1; k < K; ++k) top = std::max<long double>(top, r[k]);
    for (Index k = 0; k < K; ++k) sum += std::exp(static_cast<long double>(r[k]) - top);
    std::vector<long double> at(static_cast<std::size_t>(K + 1), -B);
    for (Index k = 0; k < K; ++k) {
      const long double frac =
          min_frac + (1.0L - min_frac * K) * std::exp(static_cast<long double>(r[k]) - top) / sum;
      at[static_cast<std::size_t>(k + 1)] = at[static_cast<std::size_t>(k)] + 2 * B * frac;
    }
    return at;
  };
  const std::vector<long double> xs = knots(raw, c.min_bin_width), ys = knots(raw + K, c.min_bin_height);
  std::vector<long double> d(static_cast<std::size_t>(K + 1), 1.0L);
  for (Index k = 1; k < K; ++k) {
    const long double r = raw[2 * K + k - 1];
    d[static_cast<std::size_t>(k)] = c.min_derivative + std::log1p(std::exp(r));
  }
  std::size_t k = 0;
  while (k + 1 < static_cast<std::size_t>(K) && x >= xs[k + 1]) ++k;
  const long double w = xs[k + 1] - xs[k], h = ys[k + 1] - ys[k], s = h / w;
  const long double xi = (x - xs[k]) / w, t = xi * (1 - xi);
  const long double den = s + (d[k] + d[k + 1] - 2 * s) * t;
  const long double y = ys[k] + h * (s * xi * xi + d[k] * t) / den;
  const long double slope = s * s * (d[k + 1] * xi * xi + 2 * s * t + d[k] * (1 - xi) * (1 - xi)) / (den * den);
  return {y, slope};
}

// inverse(forward(x)) against x. Where the spline is nearly flat (slope ≪ 1, from extreme raw
// heights) x is ill-conditioned given y: the rounding of y alone moves x by ulp(y)/slope. So the
// absolute tolerance applies where slope ≥ 0.01, and everywhere to |Δx|·min(1, slope), which is
// the error measured in y.
template <typename T>
void check_round_trip(double tolerance, std::uint64_t seed) {
  for (Index K : {1, 3, 8, 32}) {
    const RqSpline<T> spline(config_with_bins(K));
    RandomStream rng(seed + static_cast<std::uint64_t>(K));
    const Index n = 300, D = 3;
    const M<T> x = random_inputs<T>(n, D, rng);
    const M<T> p = random_params<T>(n, D * spline.params_per_variable(), rng);
    M<T> y(n, D), ld(n, D), back(n, D), ld_inv(n, D);
    spline.forward(x, p, y, ld);
    spline.inverse(y, p, back, ld_inv);
    double err_all = 0, err_conditioned = 0, err_in_y = 0, err_ld = 0, least_slope = 1;
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < D; ++j) {
        const double dx = std::abs(static_cast<double>(back(i, j)) - static_cast<double>(x(i, j)));
        const double slope = std::exp(static_cast<double>(ld(i, j)));
        least_slope = std::min(least_slope, slope);
        err_all = std::max(err_all, dx);
        if (slope >= 0.01) {
          err_conditioned = std::max(err_conditioned, dx);
          err_ld = std::max(err_ld, std::abs(static_cast<double>(ld(i, j) + ld_inv(i, j))));
        }
        err_in_y = std::max(err_in_y, dx * std::min(1.0, slope));
      }
    std::printf("nde.rq_spline round trip (%s K=%lld): max |x - inverse(forward(x))| = %.3g where slope >= 0.01, "
                "%.3g overall (least slope %.3g), max |dx|*min(1 slope) = %.3g, max |logdet + inverse logdet| = %.3g\n",
                sizeof(T) == 8 ? "double" : "float", static_cast<long long>(K), err_conditioned, err_all,
                least_slope, err_in_y, err_ld);
    CHECK(err_conditioned < tolerance);
    CHECK(err_in_y < tolerance);
    CHECK(err_ld < 10 * tolerance);
    // In place: y may be the input itself.
    M<T> z = x;
    spline.forward(z, p, z, ld);
    CHECK((z - y).cwiseAbs().maxCoeff() == T(0));
  }
}

}  // namespace

TEST_CASE("rq_spline forward matches a direct long double evaluation of the paper formulas") {
  const RqSplineConfig c = config_with_bins(6);
  const RqSpline<double> spline(c);
  RandomStream rng(11);
  const Index n = 200, D = 2, P = spline.params_per_variable();
  const M<double> x = random_inputs<double>(n, D, rng);
  const M<double> p = random_params<double>(n, D * P, rng);
  M<double> y(n, D), ld(n, D);
  spline.forward(x, p, y, ld);
  double err_y = 0, err_ld = 0;
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < D; ++j) {
      const Direct r = direct(c, &p(i, j * P), x(i, j));
      err_y = std::max(err_y, static_cast<double>(std::abs(y(i, j) - r.y)));
      err_ld = std::max(err_ld, static_cast<double>(std::abs(ld(i, j) - std::log(r.slope))));
    }
  std::printf("nde.rq_spline vs direct evaluation: max |dy| = %.3g, max |dlogdet| = %.3g\n", err_y, err_ld);
  CHECK(err_y < 1e-13);
  CHECK(err_ld < 1e-12);
}

TEST_CASE("rq_spline inverse undoes forward in double") { check_round_trip<double>(1e-10, 100); }

TEST_CASE("rq_spline inverse undoes forward in float") { check_round_trip<float>(1e-4, 200); }

TEST_CASE("rq_spline log slope equals the log of a finite-difference derivative") {
  const RqSpline<double> spline;
  RandomStream rng(5);
  const Index n = 300, D = 2;
  // Not ±B themselves: there the second derivative jumps (the tails are straight), which costs a central
  // difference O(step); the tails test checks the slope there.
  M<double> x = random_inputs<double>(n, D, rng);
  x(0, 0) = -1.0;
  x(0, 1) = 1.0;
  const M<double> p = random_params<double>(n, D * spline.params_per_variable(), rng);
  const double step = 1e-6;
  M<double> y(n, D), ld(n, D), yp(n, D), ym(n, D), scratch(n, D);
  spline.forward(x, p, y, ld);
  spline.forward((x.array() + step).matrix(), p, yp, scratch);
  spline.forward((x.array() - step).matrix(), p, ym, scratch);
  // The difference quotient carries a rounding error of about ε·|y|/step, which is ε·|y|/(step·slope)
  // in its log: the tolerance is 1e-6 plus ten times that (it matters only where the slope is ≪ 1).
  const double eps = std::numeric_limits<double>::epsilon();
  double err = 0, err_steep = 0, worst_ratio = 0;
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < D; ++j) {
      const double slope = std::exp(ld(i, j));
      const double e = std::abs(std::log((yp(i, j) - ym(i, j)) / (2 * step)) - ld(i, j));
      const double allowed = 1e-6 + 10 * eps * std::max(1.0, std::abs(y(i, j))) / (step * slope);
      err = std::max(err, e);
      if (slope >= 0.01) err_steep = std::max(err_steep, e);
      worst_ratio = std::max(worst_ratio, e / allowed);
    }
  std::printf("nde.rq_spline max |logdet - log(finite-difference dy/dx)| = %.3g where slope >= 0.01, %.3g overall "
              "(at most %.2g of the rounding-aware tolerance)\n",
              err_steep, err, worst_ratio);
  CHECK(err_steep < 1e-6);
  CHECK(worst_ratio < 1.0);
}

TEST_CASE("rq_spline is increasing") {
  const RqSpline<double> spline;
  RandomStream rng(8);
  const Index n = 4001;
  for (int trial = 0; trial < 5; ++trial) {
    // One variable with one (fairly extreme) parameter set, evaluated on a sorted grid over [−5, 5].
    const M<double> one = random_params<double>(1, spline.params_per_variable(), rng, 3.0);
    const M<double> p = one.replicate(n, 1);
    M<double> x(n, 1), y(n, 1), ld(n, 1);
    for (Index i = 0; i < n; ++i) x(i, 0) = -5.0 + 10.0 * static_cast<double>(i) / static_cast<double>(n - 1);
    spline.forward(x, p, y, ld);
    Index violations = 0;
    for (Index i = 1; i < n; ++i) violations += y(i, 0) > y(i - 1, 0) ? 0 : 1;
    CHECK(violations == 0);
    CHECK(ld.allFinite());
  }
}

TEST_CASE("rq_spline identity parameters give the identity") {
  const RqSpline<double> spline;
  const double r = spline.identity_raw_derivative();
  CHECK(std::abs(spline.config().min_derivative + std::log1p(std::exp(r)) - 1.0) < 1e-15);
  RandomStream rng(3);
  const Index n = 500, D = 3;
  const M<double> x = random_inputs<double>(n, D, rng, 6.0);
  const M<double> p = spline.identity_parameters(D).replicate(n, 1);
  M<double> y(n, D), ld(n, D), back(n, D), ld_inv(n, D);
  spline.forward(x, p, y, ld);
  spline.inverse(x, p, back, ld_inv);
  CHECK((y - x).cwiseAbs().maxCoeff() < 1e-14);
  CHECK(ld.cwiseAbs().maxCoeff() < 1e-14);
  CHECK((back - x).cwiseAbs().maxCoeff() < 1e-14);
  CHECK(ld_inv.cwiseAbs().maxCoeff() < 1e-14);

  const RqSpline<float> single;
  const M<float> pf = single.identity_parameters(D).replicate(n, 1);
  M<float> xf = x.cast<float>(), yf(n, D), ldf(n, D);
  single.forward(xf, pf, yf, ldf);
  CHECK((yf - xf).cwiseAbs().maxCoeff() < 1e-5f);
  CHECK(ldf.cwiseAbs().maxCoeff() < 1e-5f);
}

TEST_CASE("rq_spline tails are the identity with no parameter gradient") {
  const RqSpline<double> spline;
  RandomStream rng(4);
  const Index n = 100, D = 2, P = spline.params_per_variable();
  M<double> x(n, D);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < D; ++j) x(i, j) = (i % 2 == 0 ? 1.0 : -1.0) * rng.uniform(3.0 + 1e-12, 50.0);
  const M<double> p = random_params<double>(n, D * P, rng);
  M<double> y(n, D), ld(n, D), back(n, D), ld_inv(n, D);
  spline.forward(x, p, y, ld);
  spline.inverse(x, p, back, ld_inv);
  CHECK(y == x);
  CHECK(back == x);
  CHECK(ld.cwiseAbs().maxCoeff() == 0.0);
  CHECK(ld_inv.cwiseAbs().maxCoeff() == 0.0);

  const M<double> gy = random_params<double>(n, D, rng), gl = random_params<double>(n, D, rng);
  M<double> gx(n, D), gp = M<double>::Constant(n, D * P, 7.0);
  spline.backward(x, p, gy, gl, gx, gp);
  CHECK(gx == gy);
  CHECK(gp.cwiseAbs().maxCoeff() == 0.0);

  // At ±B the spline meets the tails with value ±B and slope 1, whatever the parameters.
  M<double> edge(n, D);
  for (Index i = 0; i < n; ++i) edge.row(i) << -3.0, 3.0;
  spline.forward(edge, p, y, ld);
  CHECK((y - edge).cwiseAbs().maxCoeff() < 1e-14);
  CHECK(ld.cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("rq_spline backward matches central finite differences") {
  for (Index K : {1, 2, 5, 10}) {
    const RqSpline<double> spline(config_with_bins(K));
    RandomStream rng(40 + static_cast<std::uint64_t>(K));
    const Index n = 24, D = 3, P = spline.params_per_variable();
    const M<double> x = random_inputs<double>(n, D, rng);
    const M<double> p = random_params<double>(n, D * P, rng);
    const M<double> c1 = random_params<double>(n, D, rng, 1.0), c2 = random_params<double>(n, D, rng, 1.0);
    M<double> gx(n, D), gp(n, D * P);
    spline.backward(x, p, c1, c2, gx, gp);

    // Each element depends only on its own x and parameters, so L is differenced element by element.
    M<double> y(n, D), ld(n, D);
    auto loss = [&](const M<double>& xx, const M<double>& pp, Index i, Index j) {
      spline.forward(xx, pp, y, ld);
      return c1(i, j) * y(i, j) + c2(i, j) * ld(i, j);
    };
    const double step = 1e-6;
    double worst = 0.0;
    auto compare = [&](double analytic, double numeric) {
      worst = std::max(worst, std::abs(analytic - numeric) / std::max(1.0, std::abs(numeric)));
    };
    M<double> xx = x, pp = p;
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < D; ++j) {
        // At ±B the log-slope has a kink (zero in the tails, curved inside), and backward gives the
        // derivative from inside, so the difference there is one-sided (second order) into [−B, B].
        const double side = std::abs(x(i, j)) == 3.0 ? -std::copysign(1.0, x(i, j)) : 0.0;
        auto at = [&](double dx) {
          xx(i, j) = x(i, j) + dx;
          const double value = loss(xx, p, i, j);
          xx(i, j) = x(i, j);
          return value;
        };
        const double dx_numeric = side == 0.0 ? (at(step) - at(-step)) / (2 * step)
                                              : side * (-3 * at(0.0) + 4 * at(side * step) - at(2 * side * step)) / (2 * step);
        compare(gx(i, j), dx_numeric);
        for (Index q = j * P; q < (j + 1) * P; ++q) {
          pp(i, q) = p(i, q) + step;
          const double pu = loss(x, pp, i, j);
          pp(i, q) = p(i, q) - step;
          const double pd = loss(x, pp, i, j);
          pp(i, q) = p(i, q);
          compare(gp(i, q), (pu - pd) / (2 * step));
        }
      }
    std::printf("nde.rq_spline backward (K=%lld): max relative error vs central differences = %.3g\n",
                static_cast<long long>(K), worst);
    // The spline is only C¹ at its knots, so where a knot lies within a step
    // of the point the central difference is first order: errors up to ~1e-6
    // occur there (1.1e-6 measured). A wrong derivative is off by O(1).
    CHECK(worst < 1e-5);
  }
}

TEST_CASE("rq_spline refuses bad configurations and shapes") {
  RqSplineConfig c;
  c.bins = 0;
  CHECK_THROWS_AS(RqSpline<double>(c), orrery::Error);
  c.bins = 1001;
  CHECK_THROWS_AS(RqSpline<double>(c), orrery::Error);
  c = RqSplineConfig{};
  c.min_bin_width = 0.2;  // 8 bins of at least 0.2 cannot fit
  CHECK_THROWS_AS(RqSpline<double>(c), orrery::Error);
  c = RqSplineConfig{};
  c.tail_bound = 0.0;
  CHECK_THROWS_AS(RqSpline<double>(c), orrery::Error);

  const RqSpline<double> spline;
  M<double> x(4, 2), p(4, 2 * spline.params_per_variable() - 1), y(4, 2), ld(4, 2);
  x.setZero();
  p.setZero();
  CHECK_THROWS_AS(spline.forward(x, p, y, ld), orrery::Error);
  M<double> good = M<double>::Zero(4, 2 * spline.params_per_variable()), small(3, 2);
  CHECK_THROWS_AS(spline.forward(x, good, small, ld), orrery::Error);
  CHECK_NOTHROW(spline.forward(x, good, y, ld));
}
