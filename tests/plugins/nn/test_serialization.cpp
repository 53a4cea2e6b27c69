// Weight files: save → load → identical outputs; a different architecture, a
// truncated or corrupt file, or another format version are clear errors that
// leave the network unchanged; saving leaves no staging file behind.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "mlp.hpp"
#include "nn/layer_norm.hpp"
#include "nn/serialization.hpp"

using namespace orrery::nn;
using orrery::RandomStream;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / "orrery-nn-serialization-test";
  TempDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

std::vector<char> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::vector<char>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

Matrix<float> probe_input() {
  Matrix<float> x(9, 2);
  RandomStream rng(99);
  rng.fill_normal(x);
  return x;
}

}  // namespace

TEST_CASE("save then load reproduces the network's outputs exactly", "[nn][serialization]") {
  TempDir dir;
  const fs::path file = dir.path / "net.weights";
  RandomStream rng_a(1), rng_b(2);
  Sequential<float> a, b;
  test::build_mlp(a, 2, 16, 3, rng_a);
  a.emplace<LayerNorm<float>>(3);
  test::build_mlp(b, 2, 16, 3, rng_b);
  b.emplace<LayerNorm<float>>(3);
  for (auto& p : a.parameters()) p.array() += 0.25f;  // also non-default γ, β
  const Matrix<float> x = probe_input();
  const Matrix<float> expected = a.forward(x);
  REQUIRE(Matrix<float>(b.forward(x)) != expected);

  save_weights(a, file);
  load_weights(b, file);
  CHECK(Matrix<float>(b.forward(x)) == expected);  // bit-identical
  for (const auto& entry : fs::directory_iterator(dir.path))
    CHECK(entry.path().filename() == "net.weights");  // no staging file left behind

  SECTION("saving again replaces the file") {
    for (auto& p : a.parameters()) p.array() *= 2.0f;
    save_weights(a, file);
    load_weights(b, file);
    CHECK(Matrix<float>(b.forward(x)) == Matrix<float>(a.forward(x)));
  }
  SECTION("a float file loads into a double network") {
    RandomStream rng_c(3);
    Sequential<double> c;
    test::build_mlp(c, 2, 16, 3, rng_c);
    c.emplace<LayerNorm<double>>(3);
    load_weights(c, file);
    const Matrix<double> xd = x.cast<double>();
    CHECK((Matrix<double>(c.forward(xd)) - expected.cast<double>()).cwiseAbs().maxCoeff() < 1e-5);
  }
}

TEST_CASE("loading into another architecture is a clear error", "[nn][serialization]") {
  TempDir dir;
  const fs::path file = dir.path / "net.weights";
  RandomStream rng(5);
  Sequential<float> small, wide;
  test::build_mlp(small, 2, 16, 3, rng);
  test::build_mlp(wide, 2, 32, 3, rng);
  save_weights(small, file);
  const Matrix<float> x = probe_input();
  const Matrix<float> before = wide.forward(x);
  CHECK_THROWS_WITH(load_weights(wide, file),
                    Catch::Contains("net.weights") &&
                        Catch::Contains("written for architecture "
                                        "'sequential[dense(2->16),tanh,dense(16->16),tanh,dense(16->3)]'") &&
                        Catch::Contains("but the network is "
                                        "'sequential[dense(2->32),tanh,dense(32->32),tanh,dense(32->3)]'"));
  CHECK(Matrix<float>(wide.forward(x)) == before);  // unchanged
}

TEST_CASE("damaged weight files are rejected", "[nn][serialization]") {
  TempDir dir;
  const fs::path file = dir.path / "net.weights";
  RandomStream rng(6);
  Sequential<float> net;
  test::build_mlp(net, 2, 8, 1, rng);
  save_weights(net, file);
  const std::vector<char> good = read_bytes(file);
  const Matrix<float> x = probe_input();
  const Matrix<float> before = net.forward(x);

  SECTION("missing") { CHECK_THROWS_WITH(load_weights(net, dir.path / "absent"), Catch::Contains("cannot open")); }
  SECTION("truncated") {
    write_bytes(file, std::vector<char>(good.begin(), good.end() - 20));
    CHECK_THROWS_WITH(load_weights(net, file), Catch::Contains("truncated"));
  }
  SECTION("corrupt value") {
    auto bad = good;
    bad[bad.size() - 12] ^= 0x10;  // inside the last tensor's values
    write_bytes(file, bad);
    CHECK_THROWS_WITH(load_weights(net, file), Catch::Contains("checksum"));
  }
  SECTION("not a weight file") {
    write_bytes(file, std::vector<char>(40, 'x'));
    CHECK_THROWS_WITH(load_weights(net, file), Catch::Contains("bad magic"));
  }
  SECTION("another format version") {
    auto bad = good;
    bad[8] = 7;  // the u32 after the 8-byte magic
    write_bytes(file, bad);
    CHECK_THROWS_WITH(load_weights(net, file), Catch::Contains("format version 7"));
  }
  CHECK(Matrix<float>(net.forward(x)) == before);
}
