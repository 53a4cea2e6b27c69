// Reads a file of draws, one draw per row: a .csv with a header line, or one
// compressed as .csv.bz2 (decompressed with `bzip2 -dc`), the format of
// sbibm's reference posteriors. Errors name the file.
#pragma once

#include <Eigen/Core>
#include <filesystem>

namespace orrery::diagnostics {

[[nodiscard]] Eigen::MatrixXd read_sample_file(const std::filesystem::path& path);

}  // namespace orrery::diagnostics
