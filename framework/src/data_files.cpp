#include "data_files.hpp"

#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <orrery/error.hpp>

namespace orrery::kernel {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail(const fs::path& file, const std::string& message, std::uint32_t line = 0) {
  throw ConfigError(SourceLocation{file.string(), line, line ? 1u : 0u}, message);
}

Array read_npy(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) fail(file, "not a .npy file (bad magic string)");
  const int major = static_cast<unsigned char>(magic[6]);
  std::uint32_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
  }
  std::string header(header_len, '\0');
  if (!in.read(header.data(), header_len)) fail(file, "truncated .npy header");

  auto field = [&](const std::string& key) {
    const auto k = header.find("'" + key + "'");
    if (k == std::string::npos) fail(file, ".npy header has no '" + key + "'");
    return header.substr(header.find(':', k) + 1);
  };
  const std::string descr_part = field("descr");
  const auto q1 = descr_part.find('\'');
  const std::string descr = descr_part.substr(q1 + 1, descr_part.find('\'', q1 + 1) - q1 - 1);
  if (field("fortran_order").find("True") < field("fortran_order").find(','))
    fail(file, "Fortran-ordered .npy arrays are not supported; save with C order");
  const std::string shape_part = field("shape");
  const std::string inside = shape_part.substr(shape_part.find('(') + 1, shape_part.find(')') - shape_part.find('(') - 1);
  Shape shape;
  std::stringstream ss(inside);
  for (std::string tok; std::getline(ss, tok, ',');)
    if (tok.find_first_not_of(" \t") != std::string::npos) shape.push_back(static_cast<std::size_t>(std::stoull(tok)));
  const std::size_t n = shape_size(shape);

  Eigen::VectorXd values(static_cast<Eigen::Index>(n));
  auto read_as = [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> raw(n);
    if (!in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(n * sizeof(T))))
      fail(file, "truncated .npy data: expected " + std::to_string(n) + " values");
    for (std::size_t i = 0; i < n; ++i) values[static_cast<Eigen::Index>(i)] = static_cast<double>(raw[i]);
  };
  if (descr == "<f8") read_as(double{});
  else if (descr == "<f4") read_as(float{});
  else if (descr == "<i8") read_as(std::int64_t{});
  else if (descr == "<i4") read_as(std::int32_t{});
  else fail(file, "unsupported .npy dtype '" + descr + "' (use little-endian float64, float32, int64 or int32)");
  return Array(shape, std::move(values));
}

Array read_text(const fs::path& file) {
  std::ifstream in(file);
  std::vector<double> values;
  std::size_t rows = 0, cols = 0;
  std::string line;
  std::uint32_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    for (char& c : line)
      if (c == ',') c = ' ';
    std::istringstream ls(line);
    std::size_t count = 0;
    for (std::string tok; ls >> tok;) {
      try {
        std::size_t used = 0;
        values.push_back(std::stod(tok, &used));
        if (used != tok.size()) throw std::invalid_argument(tok);
      } catch (const std::exception&) {
        fail(file, "'" + tok + "' is not a number", line_no);
      }
      ++count;
    }
    if (count == 0) continue;
    if (rows == 0) cols = count;
    else if (count != cols)
      fail(file, "row has " + std::to_string(count) + " values, earlier rows have " + std::to_string(cols), line_no);
    ++rows;
  }
  if (values.empty()) fail(file, "no numbers found");
  Eigen::VectorXd v = Eigen::Map<Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
  Shape shape = (rows == 1 || cols == 1) ? Shape{values.size()} : Shape{rows, cols};
  return Array(shape, std::move(v));
}

}  // namespace

Array read_array(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) fail(file, "data file not found");
  if (file.extension() == ".npy") return read_npy(file);
  return read_text(file);
}

}  // namespace orrery::kernel
