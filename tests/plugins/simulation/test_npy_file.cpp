// Simulation sets as .npy files: round trips of 1-D and empty arrays, and the
// column/row convention of simulation sets (one item per row of the file).
// The .npy format itself is tested with the SDK (tests/sdk/test_npy.cpp).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "simulation/npy_file.hpp"
#include "simulation/parameter_map.hpp"
#include "simulation/simulation_campaign.hpp"
#include "simulation/simulation_store.hpp"
#include "simulation_test_support.hpp"

using namespace orrery;
using orrery::simulation::read_npy;
using orrery::simulation::read_npy_columns;
using orrery::simulation::write_npy;
using orrery::simulation::write_npy_columns;
using orrery::simulation::test::TempDir;

namespace {

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("npy round trips of 1-D and empty arrays and of column sets", "[simulation][npy]") {
  TempDir dir("npy");
  const Array v({4}, (Eigen::VectorXd(4) << 0.1, -2.5e300, 3e-310, 7).finished());
  write_npy(dir.path() / "v.npy", v);
  CHECK(read_bytes(dir.path() / "v.npy").find("'shape': (4,), }") != std::string::npos);
  const Array back = read_npy(dir.path() / "v.npy");
  CHECK(back.shape == Shape{4});
  CHECK(back.values == v.values);

  // Columns are items: a 3 × 5 matrix is the C-order 5 × 3 array, one item per row.
  Eigen::MatrixXd cols(3, 5);
  for (Eigen::Index i = 0; i < cols.size(); ++i) cols.data()[i] = static_cast<double>(i) * 0.5;
  write_npy_columns(dir.path() / "c.npy", cols);
  const Array raw = read_npy(dir.path() / "c.npy");
  CHECK(raw.shape == Shape{5, 3});
  CHECK(raw.values[3] == cols(0, 1));  // row 1 of the file is column 1
  CHECK(read_npy_columns(dir.path() / "c.npy", 3, "θ") == cols);
  CHECK_THROWS_WITH(read_npy_columns(dir.path() / "c.npy", 4, "θ"),
                    Catch::Contains("c.npy") && Catch::Contains("(n, 4)") && Catch::Contains("[5, 3]"));

  write_npy_columns(dir.path() / "empty.npy", Eigen::MatrixXd(2, 0));
  CHECK(read_npy(dir.path() / "empty.npy").shape == Shape{0, 2});
  CHECK(read_npy_columns(dir.path() / "empty.npy", 2, "θ").cols() == 0);
}

