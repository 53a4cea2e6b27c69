#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "schema_check.hpp"
#include "toml_values.hpp"

using namespace orrery;
using namespace orrery::kernel;

namespace {
Schema schema() {
  using namespace option;
  return {integer("steps").default_value(100).min(1).doc("steps"),
          real("scale").required().range(0.0, 10.0),
          string("method").default_value("a").choices({"a", "b"}),
          real_matrix("cov"),
          reference("target", Kind::Target).default_value("@posterior"),
          real("rate").greater_than(0.0)};
}
Value table(const std::string& text) { return parse_toml_string(text, "c.toml"); }
}  // namespace

TEST_CASE("valid options get their defaults filled in", "[schema]") {
  const Value out = check_options(table("plugin = \"x.y\"\nscale = 2\n"), schema(), "s", "x.y", ".");
  CHECK(out.find("steps")->as_integer() == 100);
  CHECK(out.find("scale")->as_real() == 2.0);
  CHECK(out.find("method")->as_string() == "a");
  CHECK(out.find("target")->as_string() == "@posterior");
  CHECK(out.find("cov") == nullptr);  // optional without default stays absent
}

TEST_CASE("each kind of bad option is reported with its location", "[schema]") {
  auto fails = [](const std::string& text) {
    try {
      (void)check_options(table(text), schema(), "s", "x.y", ".");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(fails("scale = 1\nstesp = 3\n"), Catch::Contains("c.toml:2:9") && Catch::Contains("unknown option 'stesp'") &&
                                                  Catch::Contains("did you mean 'steps'"));
  CHECK_THAT(fails("steps = 3\n"), Catch::Contains("missing required option 'scale'"));
  CHECK_THAT(fails("scale = 1\nsteps = 2.5\n"), Catch::Contains("expected an integer"));
  CHECK_THAT(fails("scale = 11\n"), Catch::Contains("above the maximum 10"));
  CHECK_THAT(fails("scale = 1\nsteps = 0\n"), Catch::Contains("below the minimum 1"));
  CHECK_THAT(fails("scale = 1\nmethod = \"c\"\n"), Catch::Contains("is not one of"));
  CHECK_THAT(fails("scale = 1\ncov = [[1, 2], [3]]\n"), Catch::Contains("rows must have equal length"));
  CHECK_THAT(fails("scale = 1\nrate = 0\n"), Catch::Contains("value 0 must be greater than 0"));
  CHECK_THAT(fails("scale = 1\ntarget = \"nonsense\"\n"), Catch::Contains("expected a reference to a target"));
}

TEST_CASE("references may be @names, library.component or inline tables", "[schema]") {
  CHECK(is_reference_value(Value("@x")));
  CHECK(is_reference_value(Value("nde.maf")));
  CHECK_FALSE(is_reference_value(Value("maf")));
  CHECK(is_reference_value(table("plugin = \"nde.maf\"\nlayers = 3\n")));
  CHECK_FALSE(is_reference_value(table("layers = 3\n")));
}

TEST_CASE("file options resolve against the config folder and must exist", "[schema]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "orrery-schema-file-test";
  fs::create_directories(dir);
  std::ofstream(dir / "data.txt") << "1 2 3\n";
  const Schema s = {option::file("data").required()};
  const Value out = check_options(table("data = \"data.txt\"\n"), s, "c", "x.y", dir);
  CHECK(out.find("data")->as_string() == (dir / "data.txt").string());
  CHECK_THROWS_WITH(check_options(table("data = \"missing.txt\"\n"), s, "c", "x.y", dir),
                    Catch::Contains("c.toml:1:8") && Catch::Contains("file not found") && Catch::Contains("missing.txt"));
  fs::remove_all(dir);
}
