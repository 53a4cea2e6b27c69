// "Did you mean …?" suggestions for misspelt names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace orrery::kernel {

/// Edit distance (insertions, deletions, substitutions, adjacent swaps).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidates closest to `name` (at most 3), close enough to be a plausible typo.
std::vector<std::string> closest_names(std::string_view name, const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" or " (did you mean 'x' or 'y'?)", or "" when nothing is close.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace orrery::kernel
