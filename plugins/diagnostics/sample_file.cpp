#include "sample_file.hpp"

#include "orrery/error.hpp"
#include "reference_data.hpp"  // sbibm's CSV reader (.csv and .csv.bz2)

namespace orrery::diagnostics {

Eigen::MatrixXd read_sample_file(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  if (name.ends_with(".csv") || name.ends_with(".csv.bz2")) {
    sbibm::CsvTable table = sbibm::read_csv(path);
    if (table.rows.rows() == 0) throw Error(path.string() + ": no draws (only a header line)");
    return std::move(table.rows);
  }
  throw Error(path.string() + ": unsupported reference file (expected .csv or .csv.bz2 with a header line)");
}

}  // namespace orrery::diagnostics
