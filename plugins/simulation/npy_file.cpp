#include "simulation/npy_file.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <orrery/atomic_file.hpp>
#include <orrery/error.hpp>

namespace orrery::simulation {

static_assert(std::endian::native == std::endian::little, "the .npy reader and writer assume a little-endian machine");

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

std::string shape_tuple(const Shape& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) s += ",";
  return s + ")";
}

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw Error("NumPy file '" + path.string() + "': " + what);
}

// The value of `key` in the header dict, as written (up to the next top-level comma or brace).
std::string header_value(const std::string& header, const std::string& key, const std::filesystem::path& path) {
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

Shape parse_shape(const std::string& tuple, const std::filesystem::path& path) {
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

}  // namespace

void write_npy(const std::filesystem::path& path, const Array& array) {
  const Shape shape = array.shape.empty() ? Shape{array.size()} : array.shape;
  if (shape_size(shape) != array.size())
    throw Error("write_npy('" + path.string() + "'): shape " + shape_string(shape) + " does not hold " +
                std::to_string(array.size()) + " values");
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape_tuple(shape) + ", }";
  // magic (6) + version (2) + length (2) + header + '\n' must be a multiple of 64.
  const std::size_t unpadded = kMagicSize + 4 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  if (header.size() > 65535) throw Error("write_npy('" + path.string() + "'): header too long");

  write_file_atomically(path, [&](std::ostream& out) {
    out.write(kMagic, kMagicSize);
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

Array read_npy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot be opened");
  char magic[kMagicSize + 2];
  if (!in.read(magic, kMagicSize + 2) || std::memcmp(magic, kMagic, kMagicSize) != 0)
    fail(path, "not a NumPy .npy file (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(magic[kMagicSize]);
  std::size_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) fail(path, "truncated header");
    header_len = b[0] | (static_cast<std::size_t>(b[1]) << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) fail(path, "truncated header");
    header_len = b[0] | (static_cast<std::size_t>(b[1]) << 8) | (static_cast<std::size_t>(b[2]) << 16) |
                 (static_cast<std::size_t>(b[3]) << 24);
  } else {
    fail(path, "unsupported .npy format version " + std::to_string(major));
  }
  std::string header(header_len, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(header_len))) fail(path, "truncated header");
  while (!header.empty() && (header.back() == '\n' || header.back() == ' ')) header.pop_back();

  const std::string descr = header_value(header, "descr", path);
  if (descr != "'<f8'" && descr != "\"<f8\"")
    fail(path, "expected little-endian float64 values (descr '<f8'), found descr " + descr);
  if (header_value(header, "fortran_order", path) != "False")
    fail(path, "expected C order (fortran_order False), found Fortran order");
  Array out;
  out.shape = parse_shape(header_value(header, "shape", path), path);
  const std::size_t n = shape_size(out.shape);
  out.values.resize(static_cast<Eigen::Index>(n));
  if (!in.read(reinterpret_cast<char*>(out.values.data()), static_cast<std::streamsize>(n * sizeof(double))))
    fail(path, "truncated: shape " + shape_string(out.shape) + " needs " + std::to_string(n * sizeof(double)) +
                   " bytes of values");
  return out;
}

void write_npy_columns(const std::filesystem::path& path, const Eigen::Ref<const Eigen::MatrixXd>& columns) {
  Array a;
  a.shape = {static_cast<std::size_t>(columns.cols()), static_cast<std::size_t>(columns.rows())};
  a.values = Eigen::Map<const Eigen::VectorXd>(Eigen::MatrixXd(columns).data(), columns.size());
  write_npy(path, a);
}

Eigen::MatrixXd read_npy_columns(const std::filesystem::path& path, Eigen::Index rows, const char* what) {
  const Array a = read_npy(path);
  const bool empty_ok = a.shape.size() == 2 && a.shape[0] == 0 && a.shape[1] == static_cast<std::size_t>(rows);
  if (!empty_ok && (a.shape.size() != 2 || a.shape[1] != static_cast<std::size_t>(rows)))
    fail(path, "expected " + std::string(what) + " as a 2-D array (n, " + std::to_string(rows) + "), found shape " +
                   shape_string(a.shape));
  const auto n = static_cast<Eigen::Index>(a.shape[0]);
  return Eigen::Map<const Eigen::MatrixXd>(a.values.data(), rows, n);
}

}  // namespace orrery::simulation
