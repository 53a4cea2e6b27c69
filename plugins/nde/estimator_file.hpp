// The text header of a saved nde estimator, "<dir>/estimator.txt":
//   orrery-nde <format version>
//   estimator <mdn|maf>
//   architecture <ConditionalModel::describe()>
//   networks <count>            (weights in network-<i>.bin, nn weight format)
//   mean_a / sd_a / mean_b / sd_b <values, %.17g so they round-trip exactly>
// The header is written last (temporary name, then rename), so its presence
// means the weight files beside it are complete.
#pragma once

#include <filesystem>
#include <string>

#include "zscore.hpp"

namespace orrery::nde {

inline constexpr int kEstimatorFormatVersion = 1;

struct EstimatorHeader {
  std::string estimator;     ///< "mdn" or "maf"
  std::string architecture;  ///< must equal the configured model's describe()
  std::size_t networks = 0;
  ZScore a, b;
};

void write_header(const std::filesystem::path& dir, const EstimatorHeader& header);
/// Throws orrery::Error naming the file for a missing, malformed or other-version header.
EstimatorHeader read_header(const std::filesystem::path& dir);

std::filesystem::path network_file(const std::filesystem::path& dir, std::size_t index);

}  // namespace orrery::nde
