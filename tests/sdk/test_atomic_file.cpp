// write_file_atomically: the content arrives whole, an existing file is
// replaced, and every failure (no folder, the writer's own exception) leaves
// the old file and no temporary behind, with an error naming the file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include <orrery/atomic_file.hpp>

namespace fs = std::filesystem;

namespace {

/// A fresh folder, removed at the end.
struct Folder {
  Folder() : path(fs::temp_directory_path() / ("orrery-atomic-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Folder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path path;
};

std::string contents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t entries(const fs::path& folder) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(folder), fs::directory_iterator()));
}

}  // namespace

TEST_CASE("a file is written whole and an existing one replaced", "[atomic_file]") {
  Folder dir;
  const fs::path file = dir.path / "chain.txt";
  orrery::write_file_atomically(file, std::string("first\n"));
  CHECK(contents(file) == "first\n");
  const std::string binary("a\0b\n\r\n", 6);
  orrery::write_file_atomically(file, [&](std::ostream& out) { out.write(binary.data(), 6); });
  CHECK(contents(file) == binary);
  CHECK(entries(dir.path) == 1);  // no temporary left
}

TEST_CASE("failures leave the old file and no temporary and name the file", "[atomic_file]") {
  Folder dir;
  const fs::path file = dir.path / "table.txt";
  orrery::write_file_atomically(file, "kept\n");

  // The writer's own error propagates unchanged.
  CHECK_THROWS_WITH(orrery::write_file_atomically(
                        file, [](std::ostream& out) {
                          out << "half";
                          throw std::runtime_error("writer failed");
                        }),
                    "writer failed");
  CHECK(contents(file) == "kept\n");
  CHECK(entries(dir.path) == 1);

  // A folder that does not exist.
  const fs::path nowhere = dir.path / "missing" / "x.txt";
  CHECK_THROWS_WITH(orrery::write_file_atomically(nowhere, "x", "nde.gmm"),
                    Catch::Contains("nde.gmm: cannot write '" + nowhere.string() + "'") &&
                        Catch::Contains("does the folder exist"));
  CHECK_THROWS_WITH(orrery::write_file_atomically(dir.path / "", "x"), Catch::Contains("names no file"));
  CHECK(entries(dir.path) == 1);
}
