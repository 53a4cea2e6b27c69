#include "calibration/table_writer.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <system_error>

#include "orrery/atomic_file.hpp"
#include "orrery/error.hpp"

namespace orrery::calibration {

namespace {

[[noreturn]] void fail(const std::string& what) { throw Error("calibration: table: " + what); }

std::string number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void check_header(const std::vector<std::string>& header, Eigen::Index columns) {
  if (header.empty()) fail("the header names no columns");
  if (static_cast<Eigen::Index>(header.size()) != columns)
    fail("the header names " + std::to_string(header.size()) + " columns but the data have " +
         std::to_string(columns));
  for (std::size_t j = 0; j < header.size(); ++j) {
    const std::string& name = header[j];
    if (name.empty()) fail("column " + std::to_string(j) + " has an empty name");
    if (name.find_first_of(" \t\r\n,#") != std::string::npos)
      fail("column name '" + name + "' contains whitespace, a comma or '#'");
  }
}

}  // namespace

std::string format_table(const std::vector<std::string>& header, const Eigen::Ref<const Eigen::MatrixXd>& columns,
                         TableFormat format) {
  check_header(header, columns.cols());
  const char sep = format == TableFormat::comma ? ',' : ' ';
  std::string text = format == TableFormat::comma ? "" : "# ";
  for (std::size_t j = 0; j < header.size(); ++j) text += (j ? std::string(1, sep) : std::string()) + header[j];
  text += '\n';
  for (Eigen::Index i = 0; i < columns.rows(); ++i) {
    for (Eigen::Index j = 0; j < columns.cols(); ++j) {
      if (j) text += sep;
      text += number(columns(i, j));
    }
    text += '\n';
  }
  return text;
}

void write_table(const std::filesystem::path& path, const std::vector<std::string>& header,
                 const Eigen::Ref<const Eigen::MatrixXd>& columns, const TableOptions& options) {
  const std::string text = format_table(header, columns, options.format);
  if (path.filename().empty()) fail("'" + path.string() + "' names no file");
  std::error_code ec;
  if (!options.overwrite && std::filesystem::exists(path, ec))
    fail("'" + path.string() + "' exists and overwrite is off");
  write_file_atomically(path, text, "calibration: table");
}

}  // namespace orrery::calibration
