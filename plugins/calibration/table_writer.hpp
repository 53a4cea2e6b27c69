// Plot-ready tables: a header naming the columns, then one line per row, in a
// text file that numpy.loadtxt / pandas.read_csv / gnuplot read directly.
//
// Formats:
//   whitespace  "# a b c" header (a comment to numpy.loadtxt and gnuplot),
//               values separated by one space;
//   comma       "a,b,c" header, values separated by commas (CSV).
// Numbers are written with %.17g (they read back to the same double);
// non-finite values as nan, inf and -inf (which numpy and pandas parse).
//
// Safety: the text goes to a hidden temporary file in the target's folder
// (".<name>.tmp-<pid>-<n>"), is flushed and closed, then renamed over the
// target, so a reader sees the old file or the complete new one, never a torn
// one; on any failure the temporary file is removed. The kernel's own helper
// is internal to the framework and each plugin keeps a private one, so this
// library has its own small copy.
//
// Throws orrery::Error when a column name is empty or contains whitespace,
// a comma, '#' or a line break, when the header and the matrix disagree on the
// number of columns, when the file exists and `overwrite` is false, or when
// writing or renaming fails (naming the path and the reason).
// Thread-safe for distinct targets.
#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <string>
#include <vector>

namespace orrery::calibration {

enum class TableFormat { whitespace, comma };

struct TableOptions {
  TableFormat format = TableFormat::whitespace;
  bool overwrite = true;  ///< false: refuse to replace an existing file
};

/// Writes `columns` (rows × header.size(); column j under header[j]) to `path`.
void write_table(const std::filesystem::path& path, const std::vector<std::string>& header,
                 const Eigen::Ref<const Eigen::MatrixXd>& columns, const TableOptions& options = {});

/// The table's text, exactly as write_table would write it (same checks).
[[nodiscard]] std::string format_table(const std::vector<std::string>& header,
                                       const Eigen::Ref<const Eigen::MatrixXd>& columns,
                                       TableFormat format = TableFormat::whitespace);

}  // namespace orrery::calibration
