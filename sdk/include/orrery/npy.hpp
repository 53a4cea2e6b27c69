// NumPy .npy files: a reader and a writer, so data files, simulation sets and
// anything else a component stores are readable by anyone
// (`numpy.load("theta.npy")`) and anything numpy saves can be read.
//
// Format (NumPy's own specification, "format.py"): the magic "\x93NUMPY",
// a version (1.0 written; 1.0, 2.0 and 3.0 read), a little-endian header
// length (uint16 for v1, uint32 for v2/v3), and a Python-dict header
// `{'descr': '<f8', 'fortran_order': False, 'shape': (n, d), }` padded with
// spaces and a newline to a multiple of 64 bytes; then the values in C order.
//
// Contract:
//  * write_npy writes little-endian float64 in C order (an empty shape as
//    the 1-D shape (size,)), through orrery::write_file_atomically.
//  * read_npy reads little-endian float64, float32, int64 and int32 in C
//    order, of any rank, as doubles. Any other dtype, Fortran order, an
//    unknown version, a malformed header or a truncated file throws
//    orrery::Error naming the file and what was found.
// Header-only; a one-time I/O step, not a hot path. Little-endian machines.
#pragma once

#include <Eigen/Core>
#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "array.hpp"
#include "atomic_file.hpp"
#include "error.hpp"

namespace orrery {

static_assert(std::endian::native == std::endian::little, "the .npy reader and writer assume a little-endian machine");

namespace detail::npy {

inline constexpr char kMagic[] = "\x93NUMPY";
inline constexpr std::size_t kMagicSize = 6;

inline std::string shape_tuple(const Shape& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) s += ",";
  return s + ")";
}

[[noreturn]] inline void fail(const std::filesystem::path& path, const std::string& what) {
  throw Error("NumPy file '" + path.string() + "': " + what);
}

// The value of `key` in the header dict, as written (up to the next top-level comma or brace).
inline std::string header_value(const std::string& header, const std::string& key, const std::filesystem::path& path) {
  const std::string quoted[] = {"'" + key + "'", "\"" + key + "\""};
  std::size_t at = std::string::npos;
  for (const std::string& q : quoted)
    if ((at = header.find(q)) != std::string::npos) {
      at += q.size();
      break;
    }
  if (at == std::string::npos) fail(path, "the header has no '" + key + "' entry: " + header);
  at = header.find(':', at);
  if (at == std::string::npos) fail(path, "malformed header: " + header);
  ++at;
  while (at < header.size() && header[at] == ' ') ++at;
  std::size_t end = at;
  if (end < header.size() && header[end] == '(') {
    end = header.find(')', end);
    if (end == std::string::npos) fail(path, "malformed shape in header: " + header);
    ++end;
  } else {
    while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  }
  std::string v = header.substr(at, end - at);
  while (!v.empty() && v.back() == ' ') v.pop_back();
  return v;
}

inline Shape parse_shape(const std::string& tuple, const std::filesystem::path& path) {
  if (tuple.size() < 2 || tuple.front() != '(' || tuple.back() != ')') fail(path, "malformed shape " + tuple);
  Shape shape;
  std::string item;
  std::stringstream in(tuple.substr(1, tuple.size() - 2));
  while (std::getline(in, item, ',')) {
    const auto first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;  // the trailing comma of (n,)
    const std::string digits = item.substr(first, item.find_last_not_of(' ') - first + 1);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
      fail(path, "malformed shape " + tuple);
    shape.push_back(static_cast<std::size_t>(std::stoull(digits)));
  }
  return shape;
}

}  // namespace detail::npy

/// Writes `array` (values in C order, shape as given; an empty shape is
/// written as the 1-D shape (size,)) to `path` as float64, atomically.
/// Throws Error on I/O failure or when the shape does not hold the values.
inline void write_npy(const std::filesystem::path& path, const Array& array) {
  const Shape shape = array.shape.empty() ? Shape{array.size()} : array.shape;
  if (shape_size(shape) != array.size())
    throw Error("write_npy('" + path.string() + "'): shape " + shape_string(shape) + " does not hold " +
                std::to_string(array.size()) + " values");
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + detail::npy::shape_tuple(shape) + ", }";
  // magic (6) + version (2) + length (2) + header + '\n' must be a multiple of 64.
  const std::size_t unpadded = detail::npy::kMagicSize + 4 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  if (header.size() > 65535) throw Error("write_npy('" + path.string() + "'): header too long");

  write_file_atomically(path, [&](std::ostream& out) {
    out.write(detail::npy::kMagic, detail::npy::kMagicSize);
    const char version[2] = {1, 0};
    out.write(version, 2);
    const auto len = static_cast<std::uint16_t>(header.size());
    const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
    out.write(len_bytes, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(array.values.data()),
              static_cast<std::streamsize>(array.size() * sizeof(double)));
  });
}

/// Reads a .npy file of any rank (float64, float32, int64 or int32, C order)
/// as doubles. Throws Error naming the file for anything else.
inline Array read_npy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) detail::npy::fail(path, "cannot be opened");
  char magic[detail::npy::kMagicSize + 2];
  if (!in.read(magic, detail::npy::kMagicSize + 2) ||
      std::memcmp(magic, detail::npy::kMagic, detail::npy::kMagicSize) != 0)
    detail::npy::fail(path, "not a NumPy .npy file (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(magic[detail::npy::kMagicSize]);
  std::size_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) detail::npy::fail(path, "truncated header");
    header_len = b[0] | (static_cast<std::size_t>(b[1]) << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) detail::npy::fail(path, "truncated header");
    header_len = b[0] | (static_cast<std::size_t>(b[1]) << 8) | (static_cast<std::size_t>(b[2]) << 16) |
                 (static_cast<std::size_t>(b[3]) << 24);
  } else {
    detail::npy::fail(path, "unsupported .npy format version " + std::to_string(major));
  }
  std::string header(header_len, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(header_len))) detail::npy::fail(path, "truncated header");
  while (!header.empty() && (header.back() == '\n' || header.back() == ' ')) header.pop_back();

  std::string descr = detail::npy::header_value(header, "descr", path);
  if (descr.size() >= 2 && (descr.front() == '\'' || descr.front() == '"')) descr = descr.substr(1, descr.size() - 2);
  if (detail::npy::header_value(header, "fortran_order", path) != "False")
    detail::npy::fail(path, "expected C order (fortran_order False), found Fortran order");
  Array out;
  out.shape = detail::npy::parse_shape(detail::npy::header_value(header, "shape", path), path);
  const std::size_t n = shape_size(out.shape);
  out.values.resize(static_cast<Eigen::Index>(n));
  auto read_as = [&](auto zero) {
    using T = decltype(zero);
    std::streamsize bytes = static_cast<std::streamsize>(n * sizeof(T));
    auto truncated = [&] {
      detail::npy::fail(path, "truncated: shape " + shape_string(out.shape) + " needs " + std::to_string(bytes) +
                     " bytes of values");
    };
    if constexpr (std::is_same_v<T, double>) {
      if (!in.read(reinterpret_cast<char*>(out.values.data()), bytes)) truncated();
    } else {
      std::vector<T> raw(n);
      if (!in.read(reinterpret_cast<char*>(raw.data()), bytes)) truncated();
      for (std::size_t i = 0; i < n; ++i) out.values[static_cast<Eigen::Index>(i)] = static_cast<double>(raw[i]);
    }
  };
  if (descr == "<f8")
    read_as(double{});
  else if (descr == "<f4")
    read_as(float{});
  else if (descr == "<i8")
    read_as(std::int64_t{});
  else if (descr == "<i4")
    read_as(std::int32_t{});
  else
    detail::npy::fail(path, "expected little-endian float64, float32, int64 or int32 values (descr '<f8', '<f4', '<i8' or "
               "'<i4'), found descr '" + descr + "'");
  return out;
}

}  // namespace orrery
