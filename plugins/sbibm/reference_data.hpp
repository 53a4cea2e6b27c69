// Readers of sbibm's stored reference data (validation/sbibm/README.md):
// for task T and observation k = 1..10, the folder
// `<validation dir>/sbibm/<T>/num_observation_<k>/` holds
//   observation.csv                      header + one row: x_o
//   true_parameters.csv                  header + one row: θ*
//   reference_posterior_samples.csv.bz2  bzip2-compressed header + 10,000 rows
// The .bz2 file is decompressed by running `bzip2 -dc` (popen), so no
// library dependency is added; a missing `bzip2` or a corrupt file gives an
// orrery::Error naming the file. Every error names the file (and line for
// parse errors). Reading is a one-time, single-threaded step; nothing here is
// on a hot path.
#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::sbibm {

/// A CSV table of numbers with one header line.
struct CsvTable {
  std::vector<std::string> header;
  Eigen::MatrixXd rows;  ///< one row per data line, header.size() columns
};

/// Parses `text` (header line + numeric rows); `source` names it in errors.
CsvTable parse_csv(std::string_view text, const std::string& source);
/// Reads a CSV file; a path ending in ".bz2" is decompressed with `bzip2 -dc`.
CsvTable read_csv(const std::filesystem::path& path);

/// One observation of one task.
struct ReferenceObservation {
  std::string task;
  int number = 0;                           ///< k in num_observation_<k>
  std::vector<std::string> parameter_names; ///< header of true_parameters.csv
  Eigen::VectorXd observation;              ///< x_o
  Eigen::VectorXd true_parameters;          ///< θ*
  Eigen::MatrixXd posterior_samples;        ///< 10,000 × dim θ, or empty if not requested
};

/// The sbibm tasks with stored references, in the README's order.
const std::vector<std::string>& reference_tasks();

/// `<validation_dir>/sbibm/<task>/num_observation_<number>`.
std::filesystem::path reference_folder(const std::filesystem::path& validation_dir, std::string_view task,
                                       int number);

/// Reads observation `number` (1..10) of `task` under `<validation_dir>/sbibm`.
/// With `with_samples` false the .bz2 is not read. Throws orrery::Error for an
/// unknown task, a bad number, a missing or malformed file, or sizes that do
/// not match (one row of x_o and θ*, samples with dim θ columns).
ReferenceObservation read_reference(const std::filesystem::path& validation_dir, std::string_view task,
                                    int number, bool with_samples = true);

}  // namespace orrery::sbibm
