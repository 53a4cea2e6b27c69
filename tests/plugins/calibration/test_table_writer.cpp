// The plot-ready table writer (calibration/table_writer.hpp): exact text,
// atomic replacement, no temporary files left behind, clear errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "calibration/table_writer.hpp"
#include "orrery/error.hpp"

using namespace orrery::calibration;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("orrery-calibration-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("table writer writes whitespace and comma tables") {
  const fs::path dir = fresh_dir("table");
  Eigen::MatrixXd m(2, 3);
  m << 0.0, 0.5, -1.25,  //
      1.0, 0.1, std::numeric_limits<double>::infinity();
  write_table(dir / "curve.txt", {"nominal", "empirical", "se"}, m);
  CHECK(read(dir / "curve.txt") == "# nominal empirical se\n0 0.5 -1.25\n1 0.10000000000000001 inf\n");
  write_table(dir / "curve.csv", {"nominal", "empirical", "se"}, m, TableOptions{TableFormat::comma, true});
  CHECK(read(dir / "curve.csv") == "nominal,empirical,se\n0,0.5,-1.25\n1,0.10000000000000001,inf\n");
  CHECK(entries(dir) == 2);  // no temporary files left
  // Replacing works; refusing to replace throws and keeps the old file.
  write_table(dir / "curve.txt", {"a"}, Eigen::MatrixXd::Constant(1, 1, 2.0));
  CHECK(read(dir / "curve.txt") == "# a\n2\n");
  CHECK_THROWS_WITH(write_table(dir / "curve.txt", {"a"}, Eigen::MatrixXd::Zero(1, 1), TableOptions{TableFormat::whitespace, false}),
                    Catch::Contains("exists"));
  CHECK(read(dir / "curve.txt") == "# a\n2\n");
  fs::remove_all(dir);
}

TEST_CASE("table writer rejects bad headers and missing folders") {
  const fs::path dir = fresh_dir("table-errors");
  CHECK_THROWS_WITH(write_table(dir / "t.txt", {"a b"}, Eigen::MatrixXd::Zero(1, 1)), Catch::Contains("'a b'"));
  CHECK_THROWS_WITH(write_table(dir / "t.txt", {"a", "b"}, Eigen::MatrixXd::Zero(1, 1)),
                    Catch::Contains("names 2 columns but the data have 1"));
  CHECK_THROWS_AS(write_table(dir / "missing" / "t.txt", {"a"}, Eigen::MatrixXd::Zero(1, 1)), orrery::Error);
  CHECK(entries(dir) == 0);
  fs::remove_all(dir);
}
