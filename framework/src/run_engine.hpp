// `orrery run`: executes an analysis and publishes runs/<name>/.
//
// Everything is written into a staging folder beside the final one and moved
// into place only when the whole run succeeded, so a failed or interrupted run
// leaves no partial output. An existing runs/<name>/ is never replaced unless
// `force` is set.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "analysis.hpp"

namespace orrery::kernel {

struct RunRequest {
  std::filesystem::path config;
  AnalysisSettings settings;
  bool force = false;
  bool resume = false;               ///< continue from the checkpoint of an interrupted run
  double checkpoint_interval = 60.0; ///< seconds between checkpoints (0: at every opportunity)
  std::vector<std::string> only;  ///< runnables to execute; empty: the default selection
  std::string command_line;       ///< recorded in the manifest
};

/// Runs the analysis; returns the published output folder. Throws on failure
/// (after removing the staging folder).
std::filesystem::path run_analysis(const RunRequest& request);

}  // namespace orrery::kernel
