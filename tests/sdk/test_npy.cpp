// orrery/npy.hpp: the bytes numpy.save writes (v1.0 header padded to 64
// bytes), version 2 headers and double-quoted keys, float32/int64/int32
// converted to doubles, and clear errors for other dtypes, Fortran order,
// truncation and files that are not .npy at all.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>

#include <unistd.h>

#include <orrery/npy.hpp>

using namespace orrery;

namespace {

/// A fresh folder, removed at the end.
class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : path_(std::filesystem::temp_directory_path() / ("orrery-npy-" + std::to_string(::getpid()) + "-" + tag)) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};


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

TEST_CASE("write_npy writes the bytes numpy.save writes", "[npy]") {
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


TEST_CASE("read_npy accepts version 2 headers and double-quoted keys", "[npy]") {
  TempDir dir("npy");
  write_bytes(dir.path() / "v2.npy",
              numpy_header("{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (1, 2)}", 2) + doubles({5, 6}));
  const Array a = read_npy(dir.path() / "v2.npy");
  CHECK(a.shape == Shape{1, 2});
  CHECK(a.values[1] == 6.0);
}


TEST_CASE("read_npy converts float32 and int64 and int32 to doubles", "[npy]") {
  TempDir dir("npy");
  const float f[3] = {1.5f, -2.25f, 3.0f};
  write_bytes(dir.path() / "f4.npy", numpy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }") +
                                         std::string(reinterpret_cast<const char*>(f), sizeof f));
  CHECK(read_npy(dir.path() / "f4.npy").values == Eigen::Vector3d(1.5, -2.25, 3.0));
  const std::int64_t l[2] = {-7, 1LL << 40};
  write_bytes(dir.path() / "i8.npy", numpy_header("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }") +
                                         std::string(reinterpret_cast<const char*>(l), sizeof l));
  const Array a = read_npy(dir.path() / "i8.npy");
  CHECK(a.shape == Shape{1, 2});
  CHECK(a.values == Eigen::Vector2d(-7.0, 1099511627776.0));
  const std::int32_t i[2] = {-3, 4};
  write_bytes(dir.path() / "i4.npy", numpy_header("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }") +
                                         std::string(reinterpret_cast<const char*>(i), sizeof i));
  CHECK(read_npy(dir.path() / "i4.npy").values == Eigen::Vector2d(-3.0, 4.0));
  // A float32 file is truncated by its own size, not a float64's.
  write_bytes(dir.path() / "short.npy", numpy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }") +
                                            std::string(reinterpret_cast<const char*>(f), sizeof f));
  CHECK_THROWS_WITH(read_npy(dir.path() / "short.npy"), Catch::Contains("truncated") && Catch::Contains("16 bytes"));
}


TEST_CASE("read_npy refuses other dtypes and Fortran order and truncated files", "[npy]") {
  TempDir dir("npy");
  const auto p = dir.path() / "bad.npy";
  write_bytes(p, numpy_header("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }") + std::string(32, '\0'));
  CHECK_THROWS_WITH(read_npy(p), Catch::Contains("bad.npy") && Catch::Contains("float64") && Catch::Contains("<c16"));
  write_bytes(p, numpy_header("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }") + doubles({1}));
  CHECK_THROWS_WITH(read_npy(p), Catch::Contains(">f8"));
  write_bytes(p, numpy_header("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }") + doubles({1, 2, 3, 4}));
  CHECK_THROWS_WITH(read_npy(p), Catch::Contains("Fortran"));
  write_bytes(p, numpy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }") + doubles({1, 2}));
  CHECK_THROWS_WITH(read_npy(p), Catch::Contains("truncated"));
  write_bytes(p, "not numpy at all");
  CHECK_THROWS_WITH(read_npy(p), Catch::Contains("not a NumPy"));
  CHECK_THROWS_WITH(read_npy(dir.path() / "missing.npy"), Catch::Contains("missing.npy"));
}
