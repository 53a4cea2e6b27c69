#include <catch2/catch.hpp>

#include "toml_values.hpp"

using namespace orrery;
using namespace orrery::kernel;

TEST_CASE("TOML values keep their types and source locations", "[config]") {
  const Value root = parse_toml_string("a = 1\nb = 2.5\n[t]\nc = \"x\"\nd = [1, 2.0]\n", "cfg.toml");
  CHECK(root.find("a")->as_integer() == 1);
  CHECK(root.find("b")->as_real() == 2.5);
  CHECK(root.find("a")->as_real() == 1.0);  // integers are numbers
  const Value& t = *root.find("t");
  CHECK(t.find("c")->as_string() == "x");
  CHECK(t.find("d")->as_list().size() == 2);
  CHECK(t.find("c")->where().str() == "cfg.toml:4:5");
  CHECK_THROWS_WITH(t.find("c")->as_real(), Catch::Contains("cfg.toml:4:5") && Catch::Contains("expected a number"));
}

TEST_CASE("TOML syntax errors carry file, line and column", "[config]") {
  try {
    (void)parse_toml_string("a = 1\nb = [1, 2\n", "bad.toml");
    FAIL("no exception");
  } catch (const ConfigError& e) {
    CHECK(e.where().file == "bad.toml");
    CHECK(e.where().line >= 2);
    CHECK_THAT(e.what(), Catch::Contains("TOML syntax error"));
  }
}

TEST_CASE("overrides set nested keys with TOML-typed values", "[config]") {
  Value root = parse_toml_string("[components.sampler]\nsteps = 10\n", "cfg.toml");
  apply_override(root, "components.sampler.steps=2000");
  apply_override(root, "components.sampler.target=@posterior");
  apply_override(root, "components.new.scale=[1.5, 2]");
  apply_override(root, "analysis.name=\"quoted\"");
  CHECK(root.find("components")->find("sampler")->find("steps")->as_integer() == 2000);
  CHECK(root.find("components")->find("sampler")->find("target")->as_string() == "@posterior");
  CHECK(root.find("components")->find("new")->find("scale")->as_list()[0].as_real() == 1.5);
  CHECK(root.find("analysis")->find("name")->as_string() == "quoted");
  CHECK_THROWS_WITH(apply_override(root, "no_equals_sign"), Catch::Contains("section.key=value"));
  CHECK_THROWS_WITH(apply_override(root, "components.sampler.steps.deeper=1"), Catch::Contains("is not a table"));
}

TEST_CASE("configs round-trip through TOML text and hash canonically", "[config]") {
  const Value a = parse_toml_string("x = 1\ny = [1.5, \"s\"]\n[t]\nz = true\n", "a.toml");
  const Value b = parse_toml_string(to_toml(a), "b.toml");
  CHECK(canonical_string(a) == canonical_string(b));
  const Value reordered = parse_toml_string("y = [1.5, \"s\"]\nx = 1\n[t]\nz = true\n", "c.toml");
  CHECK(canonical_string(a) == canonical_string(reordered));
  const Value changed = parse_toml_string("x = 2\ny = [1.5, \"s\"]\n[t]\nz = true\n", "d.toml");
  CHECK(canonical_string(a) != canonical_string(changed));
}

TEST_CASE("tables keep the order in which keys were written", "[config]") {
  const Value root = parse_toml_string("[p]\nzeta = 1\nalpha = 2\n[p.kappa]\nshape = [2]\n[p.beta]\nx = 1\n", "o.toml");
  std::vector<std::string> keys;
  for (const auto& [k, v] : root.find("p")->as_table()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"zeta", "alpha", "kappa", "beta"});
}

TEST_CASE("written TOML keeps key order, types and awkward strings", "[config]") {
  const Value a = parse_toml_string(R"(
[analysis]
name = "x"
[parameters]
y = { prior = "normal", sd = 2.0, latex = "\\sigma_8 \"q\"" }
h = 0.7
x = { prior = "uniform", min = -5, max = 5.0 }
[parameters.kappa]
shape = [2, 3]
prior = "normal"
sd = 1e-300
[components.z]
plugin = "a.b"
list = [[1.5, 2], ["s", true]]
inline = { plugin = "c.d", deep = { k = 1 } }
[components.b]
plugin = "e.f"
)", "a.toml");
  const std::string text = to_toml(a);
  const Value b = parse_toml_string(text, "b.toml");
  INFO(text);
  CHECK(canonical_string(a) == canonical_string(b));
  std::vector<std::string> keys;
  for (const auto& [k, v] : b.find("parameters")->as_table()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"y", "h", "x", "kappa"});
  keys.clear();
  for (const auto& [k, v] : b.find("components")->as_table()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"z", "b"});
  CHECK(b.find("parameters")->find("x")->find("min")->is_integer());
  CHECK(b.find("parameters")->find("kappa")->find("sd")->as_real() == 1e-300);
}
