#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <orrery/random.hpp>

using orrery::RandomStream;

TEST_CASE("random streams are reproducible and split independently", "[random]") {
  RandomStream a(42), b(42), c(43);
  CHECK(a.next() == b.next());
  CHECK(a.next() != c.next());
  const RandomStream parent(7);
  RandomStream s1 = parent.split(1), s1again = parent.split(1), s2 = parent.split(2);
  CHECK(s1.next() == s1again.next());
  CHECK(s1.next() != s2.next());
  CHECK(parent.split("like").next() == RandomStream(7).split("like").next());
  CHECK(parent.split("like").next() != parent.split("sampler").next());
}

TEST_CASE("uniform and normal variates have the right moments", "[random]") {
  RandomStream rng(1);
  const int n = 200000;
  double su = 0, su2 = 0, sn = 0, sn2 = 0, sn4 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    su += u;
    su2 += u * u;
    const double z = rng.normal();
    sn += z;
    sn2 += z * z;
    sn4 += z * z * z * z;
  }
  // Bounds are 4 standard errors of each estimator.
  CHECK(std::abs(su / n - 0.5) < 4 * std::sqrt(1.0 / 12 / n));
  CHECK(std::abs(su2 / n - 1.0 / 3) < 4 * std::sqrt(4.0 / 45 / n));
  CHECK(std::abs(sn / n) < 4 / std::sqrt(n));
  CHECK(std::abs(sn2 / n - 1) < 4 * std::sqrt(2.0 / n));
  CHECK(std::abs(sn4 / n - 3) < 4 * std::sqrt(96.0 / n));
  std::uint64_t counts[3] = {};
  for (int i = 0; i < 30000; ++i) ++counts[rng.below(3)];
  for (auto c : counts) CHECK(std::abs(static_cast<double>(c) - 10000) < 4 * std::sqrt(30000 * (1.0 / 3) * (2.0 / 3)));
}

TEST_CASE("the ziggurat tables close: the top layer has the common area and ends at the mode", "[random]") {
  const auto& z = orrery::detail::NormalZiggurat::tables();
  const double v = orrery::detail::NormalZiggurat::kLayerArea;
  const double r = orrery::detail::NormalZiggurat::kTailStart;
  // Base strip: rectangle r·f(r) plus the tail ∫_r^∞ exp(-x²/2) dx = √(π/2) erfc(r/√2).
  CHECK(std::abs(r * std::exp(-0.5 * r * r) + std::sqrt(M_PI / 2) * std::erfc(r / std::sqrt(2.0)) - v) < 1e-12);
  // Layer 255 reaches height 1 = f(0) with area v.
  CHECK(std::abs(z.x[255] * (1.0 - z.f[255]) - v) < 1e-9);
  for (int i = 1; i < 256; ++i) REQUIRE(z.x[i + 1] < z.x[i]);
}

TEST_CASE("normal variates follow the standard normal CDF, tails included", "[random]") {
  RandomStream rng(2026);
  const int n = 400000;
  std::vector<double> z(n);
  for (double& x : z) x = rng.normal();
  std::sort(z.begin(), z.end());
  // Kolmogorov–Smirnov distance; the 0.1% critical value is 1.95/√n.
  double distance = 0.0;
  for (int i = 0; i < n; ++i) {
    const double cdf = 0.5 * std::erfc(-z[static_cast<std::size_t>(i)] / std::sqrt(2.0));
    distance = std::max({distance, cdf - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - cdf});
  }
  CHECK(distance < 1.95 / std::sqrt(static_cast<double>(n)));
  // The tail beyond the ziggurat's r = 3.654 (drawn by a separate branch) has
  // the right mass: P(|Z| > 3.654) = 2.58e-4, about 103 of 4e5.
  const double tail = std::erfc(3.6541528853610088 / std::sqrt(2.0));
  const auto beyond = static_cast<double>(std::count_if(z.begin(), z.end(), [](double x) { return std::abs(x) > 3.6541528853610088; }));
  CHECK(std::abs(beyond - n * tail) < 4 * std::sqrt(n * tail));
  // And the deep tail too: P(|Z| > 4.5) = 6.8e-6, about 2.7 of 4e5; use 4e6 draws.
  std::int64_t deep = 0;
  for (int i = 0; i < 4000000; ++i) deep += std::abs(rng.normal()) > 4.5 ? 1 : 0;
  const double expected = 4e6 * std::erfc(4.5 / std::sqrt(2.0));
  CHECK(std::abs(static_cast<double>(deep) - expected) < 4 * std::sqrt(expected));
}
