#include <catch2/catch.hpp>
#include <cmath>

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
