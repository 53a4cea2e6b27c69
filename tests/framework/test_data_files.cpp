#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <orrery/error.hpp>

#include "data_files.hpp"

using namespace orrery;
using namespace orrery::kernel;
namespace fs = std::filesystem;

TEST_CASE("text data files become arrays with their shape", "[data]") {
  const fs::path p = fs::temp_directory_path() / "orrery-test-data.txt";
  std::ofstream(p) << "# comment\n1 2 3\n4, 5, 6\n";
  const Array a = read_array(p);
  CHECK(a.shape == Shape{2, 3});
  CHECK(a.values[4] == 5.0);
  std::ofstream(p) << "1 2\n3\n";
  CHECK_THROWS_WITH(read_array(p), Catch::Contains(":2:") && Catch::Contains("row has 1 values"));
  std::ofstream(p) << "1 x\n";
  CHECK_THROWS_WITH(read_array(p), Catch::Contains("'x' is not a number"));
  fs::remove(p);
  CHECK_THROWS_WITH(read_array(p), Catch::Contains("data file not found"));
}

TEST_CASE("npy files are read with shape and dtype", "[data]") {
  const fs::path p = fs::temp_directory_path() / "orrery-test-data.npy";
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
  header.resize(128 - 10 - 1, ' ');
  header += '\n';
  {
    std::ofstream out(p, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const std::uint16_t len = static_cast<std::uint16_t>(header.size());
    out.write(reinterpret_cast<const char*>(&len), 2);
    out << header;
    const double v[4] = {1.5, -2, 3, 4};
    out.write(reinterpret_cast<const char*>(v), sizeof v);
  }
  const Array a = read_array(p);
  CHECK(a.shape == Shape{2, 2});
  CHECK(a.values[0] == 1.5);
  CHECK(a.values[3] == 4.0);
  // A broken .npy is a config error at the file, without repeating its name.
  std::ofstream(p, std::ios::binary) << "not numpy";
  try {
    (void)read_array(p);
    FAIL("no error");
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains(p.string()) && Catch::Contains("not a NumPy .npy file"));
    CHECK(message.find(p.string()) == message.rfind(p.string()));
  }
  fs::remove(p);
}
