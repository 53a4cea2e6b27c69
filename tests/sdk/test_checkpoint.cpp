// StateWriter / StateReader: exact round trips of every supported type,
// random streams that continue where they were saved, and clear errors for a
// wrong format, truncation and leftovers.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <orrery/checkpoint.hpp>

TEST_CASE("every field type round-trips exactly") {
  orrery::RandomStream rng(99);
  for (int i = 0; i < 7; ++i) (void)rng.normal();  // leaves a spare normal cached
  const double d = 0.1 + 0.2;
  const std::uint64_t n = 0xfedcba9876543210ULL;
  const bool flag = true;
  const std::string text = "tree depth";
  const std::vector<double> values = {1.5, -2.25, 1e-300};
  Eigen::VectorXd v = Eigen::VectorXd::LinSpaced(5, -1.0, 3.0);
  Eigen::MatrixXd m(2, 3);
  m << 1, 2, 3, 4, 5, 6;

  orrery::StateWriter writer("test/1");
  writer(d);
  writer(n);
  writer(flag);
  writer(text);
  writer(values);
  writer(v);
  writer(m);
  writer(rng);

  double d2 = 0;
  std::uint64_t n2 = 0;
  bool flag2 = false;
  std::string text2;
  std::vector<double> values2;
  Eigen::VectorXd v2;
  Eigen::MatrixXd m2;
  orrery::RandomStream rng2(1);
  orrery::StateReader reader(writer.bytes(), "test/1");
  reader(d2);
  reader(n2);
  reader(flag2);
  reader(text2);
  reader(values2);
  reader(v2);
  reader(m2);
  reader(rng2);
  reader.finish();

  CHECK(d2 == d);
  CHECK(n2 == n);
  CHECK(flag2 == flag);
  CHECK(text2 == text);
  CHECK(values2 == values);
  CHECK(v2 == v);
  CHECK(m2 == m);
  for (int i = 0; i < 5; ++i) CHECK(rng2.normal() == rng.normal());
  CHECK(rng2.next() == rng.next());
  CHECK(rng2.split(3).next() == rng.split(3).next());
}

TEST_CASE("wrong formats, truncation and leftover bytes are errors") {
  orrery::StateWriter writer("samplers.nuts/1");
  writer(std::uint64_t{4});
  writer(Eigen::VectorXd::Ones(3).eval());
  const std::string bytes = writer.bytes();

  CHECK_THROWS_WITH(orrery::StateReader(bytes, "samplers.hmc/1"), Catch::Contains("samplers.nuts/1"));

  orrery::StateReader truncated(std::string_view(bytes).substr(0, bytes.size() - 4), "samplers.nuts/1");
  std::uint64_t count = 0;
  truncated(count);
  Eigen::VectorXd v;
  CHECK_THROWS_WITH(truncated(v), Catch::Contains("truncated"));

  orrery::StateReader partial(bytes, "samplers.nuts/1");
  partial(count);
  CHECK_THROWS_WITH(partial.finish(), Catch::Contains("unread"));

  // A fixed-size destination must match the saved shape.
  orrery::StateReader shaped(bytes, "samplers.nuts/1");
  shaped(count);
  Eigen::Vector2d fixed;
  CHECK_THROWS_WITH(shaped(fixed), Catch::Contains("shape"));
}
