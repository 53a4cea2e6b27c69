// The .npy reader and writer: byte layout as numpy.save writes it (v1.0
// header padded to 64 bytes), round trips of 2-D, 1-D and empty arrays, the
// column/row convention of simulation sets, v2.0 headers, and clear errors
// for another dtype, Fortran order and truncation.
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

void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

// What numpy.save writes before the data for a float64 array of `shape_tuple`.
std::string numpy_header(const std::string& dict, char major = 1) {
  std::string header = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out = std::string("\x93NUMPY", 6) + major + '\0';
  const std::size_t n = header.size();
  out += static_cast<char>(n & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  if (major != 1) out += std::string(2, '\0');
  return out + header;
}

std::string doubles(std::initializer_list<double> v) {
  std::string s;
  for (double x : v) s.append(reinterpret_cast<const char*>(&x), sizeof x);
  return s;
}

}  // namespace

TEST_CASE("write_npy writes the bytes numpy.save writes", "[simulation][npy]") {
  TempDir dir("npy");
  const Array a({2, 3}, (Eigen::VectorXd(6) << 1, 2, 3, 4, 5, 6).finished());
  write_npy(dir.path() / "a.npy", a);
  const std::string expected =
      numpy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }") + doubles({1, 2, 3, 4, 5, 6});
  const std::string bytes = read_bytes(dir.path() / "a.npy");
  CHECK(bytes.size() == 128 + 48);
  CHECK(bytes == expected);
  const Array back = read_npy(dir.path() / "a.npy");
  CHECK(back.shape == Shape{2, 3});
  CHECK(back.values == a.values);
}

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

TEST_CASE("read_npy accepts version 2 headers and double-quoted keys", "[simulation][npy]") {
  TempDir dir("npy");
  write_bytes(dir.path() / "v2.npy",
              numpy_header("{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (1, 2)}", 2) + doubles({5, 6}));
  const Array a = read_npy(dir.path() / "v2.npy");
  CHECK(a.shape == Shape{1, 2});
  CHECK(a.values[1] == 6.0);
}

TEST_CASE("read_npy refuses other dtypes and Fortran order and truncated files", "[simulation][npy]") {
  TempDir dir("npy");
  const auto p = dir.path() / "bad.npy";
  write_bytes(p, numpy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }") + std::string(8, '\0'));
  CHECK_THROWS_WITH(read_npy(p), Catch::Contains("bad.npy") && Catch::Contains("float64") && Catch::Contains("<f4"));
  write_bytes(p, numpy_header("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }") + doubles({1, 2, 3, 4}));
  CHECK_THROWS_WITH(read_npy(p), Catch::Contains("Fortran"));
  write_bytes(p, numpy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }") + doubles({1, 2}));
  CHECK_THROWS_WITH(read_npy(p), Catch::Contains("truncated"));
  write_bytes(p, "not numpy at all");
  CHECK_THROWS_WITH(read_npy(p), Catch::Contains("not a NumPy"));
  CHECK_THROWS_WITH(read_npy(dir.path() / "missing.npy"), Catch::Contains("missing.npy"));
}
