#include "data_files.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <orrery/error.hpp>

#include "cosmo_core/numeric_text.hpp"

namespace orrery::cosmology {
namespace {

namespace fs = std::filesystem;

/// The value of `key` in a .npy header dictionary ("{'descr': '<f8', ...}").
std::string header_field(const std::string& header, const std::string& key, const std::string& where) {
  const std::size_t at = header.find("'" + key + "'");
  if (at == std::string::npos) throw Error(where + ": the .npy header has no '" + key + "' entry");
  std::size_t start = header.find(':', at);
  if (start == std::string::npos) throw Error(where + ": malformed .npy header");
  ++start;
  while (start < header.size() && header[start] == ' ') ++start;
  std::size_t end = start;
  if (start < header.size() && header[start] == '(') {
    end = header.find(')', start);
    if (end == std::string::npos) throw Error(where + ": malformed shape in the .npy header");
    return header.substr(start, end - start + 1);
  }
  while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  std::string value = header.substr(start, end - start);
  while (!value.empty() && value.back() == ' ') value.pop_back();
  return value;
}

Eigen::VectorXd read_npy(const fs::path& file) {
  const std::string where = "data file '" + file.string() + "'";
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(where + " cannot be read");
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw Error(where + " is not a .npy file (bad magic string)");
  const int major = static_cast<unsigned char>(magic[6]);
  std::uint32_t header_length = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) throw Error(where + ": truncated .npy header");
    header_length = static_cast<std::uint32_t>(b[0] | (b[1] << 8));
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) throw Error(where + ": truncated .npy header");
    header_length = static_cast<std::uint32_t>(b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24));
  } else {
    throw Error(where + ": unsupported .npy format version " + std::to_string(major));
  }
  std::string header(header_length, '\0');
  if (!in.read(header.data(), header_length)) throw Error(where + ": truncated .npy header");
  const std::string descr = header_field(header, "descr", where);
  if (header_field(header, "fortran_order", where) != "False")
    throw Error(where + ": Fortran-ordered arrays are not supported; save a C-ordered array");
  const std::string shape = header_field(header, "shape", where);
  std::size_t count = 1;
  {
    std::string digits;
    for (char c : shape + ",") {
      if (c >= '0' && c <= '9') {
        digits += c;
      } else if (!digits.empty()) {
        count *= static_cast<std::size_t>(std::stoull(digits));
        digits.clear();
      }
    }
  }
  int width = 0;
  if (descr == "'<f8'" || descr == "'=f8'" || (descr == "'|f8'")) width = 8;
  else if (descr == "'<f4'" || descr == "'=f4'") width = 4;
  else throw Error(where + ": unsupported dtype " + descr + " (expected little-endian float64 or float32)");
  if constexpr (std::endian::native != std::endian::little) throw Error(where + ": .npy reading needs a little-endian machine");
  std::vector<char> bytes(count * static_cast<std::size_t>(width));
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    throw Error(where + ": holds fewer values than its shape " + shape + " says");
  Eigen::VectorXd out(static_cast<Eigen::Index>(count));
  for (std::size_t i = 0; i < count; ++i) {
    if (width == 8) {
      double v;
      std::memcpy(&v, bytes.data() + 8 * i, 8);
      out[static_cast<Eigen::Index>(i)] = v;
    } else {
      float v;
      std::memcpy(&v, bytes.data() + 4 * i, 4);
      out[static_cast<Eigen::Index>(i)] = static_cast<double>(v);
    }
  }
  return out;
}

Eigen::VectorXd read_text(const fs::path& file) {
  std::vector<double> values;
  orrery::cosmo::for_each_numeric_row(file, "data file '" + file.string() + "'", [&](int, const std::vector<double>& row) {
    values.insert(values.end(), row.begin(), row.end());
  });
  return Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

}  // namespace

Eigen::VectorXd read_data_vector(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) throw Error("data file '" + file.string() + "' is not a readable file");
  Eigen::VectorXd out = file.extension() == ".npy" ? read_npy(file) : read_text(file);
  if (out.size() == 0) throw Error("data file '" + file.string() + "' holds no values");
  for (Eigen::Index i = 0; i < out.size(); ++i)
    if (!std::isfinite(out[i]))
      throw Error("data file '" + file.string() + "': value " + std::to_string(i + 1) + " is not finite");
  return out;
}

std::string table_number(double value, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*e", std::max(0, digits - 1), value);
  return buf;
}

}  // namespace orrery::cosmology
