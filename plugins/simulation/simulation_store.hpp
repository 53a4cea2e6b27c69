// The files of a stored simulation set (one artifact folder):
//
//   theta.npy          n_ok × dim θ_free, float64 C order: the successful θ, one per row
//   x.npy              n_ok × output_size: their simulations, one per row (flattened in C order)
//   failed_theta.npy   n_failed × dim θ_free: the θ whose simulation failed (0 rows if none)
//   failures.txt       one line per failure: item index, TAB, θ, TAB, message
//   campaign.txt       "key value" lines: format, requested, succeeded, failed,
//                      theta_dimension, x_dimension, x_shape, parameters (free element names)
//
// campaign.txt is written last, and the folder is committed by the cache only
// after all files are complete.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <orrery/array.hpp>

#include "simulation/simulation_campaign.hpp"

namespace orrery::simulation {

/// Writes the files above into `dir` (which must exist).
void write_simulation_set(const std::filesystem::path& dir, const CampaignResult& result,
                          const std::vector<std::string>& parameter_names, const Shape& x_shape);

/// The counts of campaign.txt.
struct CampaignCounts {
  std::size_t requested = 0;
  std::size_t succeeded = 0;
  std::size_t failed = 0;
};
/// Reads campaign.txt of `dir`; throws Error naming the file when it is
/// missing or malformed.
CampaignCounts read_campaign_counts(const std::filesystem::path& dir);

/// Reads theta.npy and x.npy of `dir`, checking them against campaign.txt and
/// the expected item sizes (a stale or foreign folder is an Error naming it).
SimulationSet read_simulation_set(const std::filesystem::path& dir, Eigen::Index theta_dimension,
                                  Eigen::Index x_dimension);

}  // namespace orrery::simulation
