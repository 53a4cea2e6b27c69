// The Kolmogorov–Smirnov distribution (calibration/kolmogorov.hpp) and the
// regularised incomplete gamma function (calibration/incomplete_gamma.hpp)
// against closed forms, a second exact algorithm and published quantiles.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <vector>

#include "calibration/incomplete_gamma.hpp"
#include "calibration/kolmogorov.hpp"
#include "orrery/error.hpp"

using namespace orrery::calibration;

TEST_CASE("kolmogorov p-value of one observation is two minus twice the statistic") {
  // D_1 = max(U, 1 − U): P(D_1 ≥ d) = 2 − 2d on [1/2, 1], 1 below.
  for (double d : {0.5, 0.55, 0.6, 0.75, 0.9, 0.99}) {
    CHECK(kolmogorov_pvalue(1, d) == Approx(2.0 - 2.0 * d).epsilon(1e-12));
    CHECK(1.0 - kolmogorov_cdf_exact(1, d) == Approx(2.0 - 2.0 * d).epsilon(1e-10));
  }
  CHECK(kolmogorov_pvalue(1, 0.3) == 1.0);
  CHECK(kolmogorov_pvalue(1, 1.0) == 0.0);
}

TEST_CASE("kolmogorov p-value of two observations matches the closed form") {
  // For 1/4 ≤ d ≤ 1/2 the order statistics must lie in (1/2 − d, d) and
  // (1 − d, 1/2 + d): P(D_2 < d) = 2 (2d − 1/2)².
  for (double d : {0.26, 0.3, 0.35, 0.4, 0.45, 0.49}) {
    const double cdf = 2.0 * (2.0 * d - 0.5) * (2.0 * d - 0.5);
    CHECK(kolmogorov_cdf_exact(2, d) == Approx(cdf).margin(1e-13));
    CHECK(kolmogorov_pvalue(2, d) == Approx(1.0 - cdf).margin(1e-13));
  }
}

TEST_CASE("kolmogorov tail above one half agrees with the exact matrix method") {
  // Two independent exact algorithms: Birnbaum–Tingey (used for d ≥ 1/2) and
  // Marsaglia–Tsang–Wang.
  for (Index n : {3, 5, 10, 20, 40})
    for (double d : {0.5, 0.52, 0.6, 0.7, 0.85}) {
      const double exact = 1.0 - kolmogorov_cdf_exact(n, d);
      CHECK(kolmogorov_pvalue(n, d) == Approx(exact).margin(1e-12).epsilon(1e-8));
    }
  // Largest values: P(D_n ≥ d) = 2 (1 − d)^n for d ≥ 1 − 1/n.
  CHECK(kolmogorov_pvalue(10, 0.95) == Approx(2.0 * std::pow(0.05, 10)).epsilon(1e-10));
}

TEST_CASE("kolmogorov p-values at tabulated five percent critical values") {
  // Two-sided 5 % critical values of D_n (Miller 1956, J. Amer. Statist. Assoc. 51, 111), 5 digits.
  CHECK(kolmogorov_pvalue(5, 0.56328) == Approx(0.05).margin(2e-4));
  CHECK(kolmogorov_pvalue(10, 0.40925) == Approx(0.05).margin(2e-4));
  CHECK(kolmogorov_pvalue(20, 0.29408) == Approx(0.05).margin(2e-4));
}

TEST_CASE("kolmogorov limiting distribution matches its known values") {
  // scipy.special.kolmogorov(1.0) = 0.26999967167735456; the asymptotic
  // 10 %, 5 %, 1 % and 0.1 % points are 1.2238, 1.3581, 1.6276 and 1.9495.
  CHECK(kolmogorov_sf(1.0) == Approx(0.26999967167735456).epsilon(1e-12));
  CHECK(kolmogorov_sf(1.2238) == Approx(0.10).margin(1e-4));
  CHECK(kolmogorov_sf(1.3581) == Approx(0.05).margin(1e-4));
  CHECK(kolmogorov_sf(1.6276) == Approx(0.01).margin(1e-5));
  CHECK(kolmogorov_sf(1.9495) == Approx(0.001).margin(1e-6));
  // The two series agree where both converge: alternating sum at λ = 0.9, 1.1.
  for (double lambda : {0.9, 1.1}) {
    double sum = 0.0;
    for (int k = 1; k < 200; ++k) sum += (k % 2 ? 2.0 : -2.0) * std::exp(-2.0 * k * k * lambda * lambda);
    CHECK(kolmogorov_sf(lambda) == Approx(sum).epsilon(1e-12));
  }
  CHECK(kolmogorov_sf(0.0) == 1.0);
  CHECK(kolmogorov_sf(0.2) == Approx(1.0).margin(1e-12));
}

TEST_CASE("kolmogorov p-value for large samples approaches the limiting distribution") {
  // The corrected asymptotic branch (n = 10^6) against Q_KS(√n d): the finite-n correction is O(1/√n).
  for (double lambda : {0.6, 0.9, 1.2, 1.5, 1.8}) {
    const Index n = 1000000;
    CHECK(kolmogorov_pvalue(n, lambda / 1000.0) == Approx(kolmogorov_sf(lambda)).margin(1e-3));
  }
  // The corrected asymptotic form against the exact method at n = 1000 and 2000 (the
  // smallest n at which kolmogorov_pvalue uses it is ~1090).
  for (Index n : {1000, 2000})
    for (double lambda : {0.4, 0.6, 0.8, 1.0, 1.2, 1.5, 1.9}) {
      const double d = lambda / std::sqrt(static_cast<double>(n));
      if (static_cast<double>(n) * d > 90) continue;
      CHECK(kolmogorov_pvalue_asymptotic(n, d) == Approx(1.0 - kolmogorov_cdf_exact(n, d)).margin(2e-5));
    }
}

TEST_CASE("kolmogorov exact distribution matches published values") {
  // P(D_n < d) from another implementation of Marsaglia–Tsang–Wang's C code
  // (github.com/jmacd/sampletest, kolmogorov/kolmogorov_test.go), 16 digits; its
  // fourth value, K(10, 1), is MTW's tail shortcut, not the exact value 1, and is left out.
  CHECK(kolmogorov_cdf_exact(10, 0.2) == Approx(0.2512809600000001).epsilon(1e-12));
  CHECK(kolmogorov_cdf_exact(100, 0.05) == Approx(0.0467840289364274).epsilon(1e-11));
  CHECK(kolmogorov_cdf_exact(1000, 0.028933906713247914) == Approx(0.6345548933440742).epsilon(1e-11));
}

TEST_CASE("kolmogorov statistic of a uniform sample") {
  const std::vector<double> u = {0.7, 0.1, 0.4};
  CHECK(ks_statistic_uniform(u) == Approx(0.3).epsilon(1e-14));
  CHECK_THROWS_AS(ks_statistic_uniform(std::vector<double>{}), orrery::Error);
  CHECK_THROWS_AS(kolmogorov_pvalue(0, 0.1), orrery::Error);
  CHECK_THROWS_AS(kolmogorov_pvalue(10, std::nan("")), orrery::Error);
}

TEST_CASE("incomplete gamma matches closed forms") {
  for (double x : {0.01, 0.5, 1.0, 3.0, 10.0, 40.0}) {
    CHECK(regularized_gamma_q(1.0, x) == Approx(std::exp(-x)).epsilon(1e-13));
    CHECK(regularized_gamma_q(0.5, x) == Approx(std::erfc(std::sqrt(x))).epsilon(1e-12));
    // Q(4, x) = e^{−x} (1 + x + x²/2 + x³/6)
    CHECK(regularized_gamma_q(4.0, x) == Approx(std::exp(-x) * (1 + x + x * x / 2 + x * x * x / 6)).epsilon(1e-12));
    // χ² with 2 degrees of freedom: p = e^{−x/2}
    CHECK(chi_square_pvalue(x, 2.0) == Approx(std::exp(-x / 2)).epsilon(1e-13));
  }
  // Far tail keeps its relative precision: Q(3, 50) = e^{−50} (1 + 50 + 1250).
  CHECK(regularized_gamma_q(3.0, 50.0) == Approx(std::exp(-50.0) * 1301.0).epsilon(1e-12));
  // Large a at the mean: Q(a, a) = 1/2 − 1/(3√(2πa)) + O(a^{−3/2}) (the median lies below the mean).
  CHECK(regularized_gamma_q(1e4, 1e4) == Approx(0.5 - 1.0 / (3.0 * std::sqrt(2.0 * std::numbers::pi * 1e4))).margin(1e-5));
  CHECK(regularized_gamma_q(2.0, 0.0) == 1.0);
  CHECK(chi_square_pvalue(-1.0, 3.0) == 1.0);
  CHECK_THROWS_AS(regularized_gamma_q(0.0, 1.0), orrery::Error);
  CHECK_THROWS_AS(regularized_gamma_q(1.0, -1.0), orrery::Error);
}
