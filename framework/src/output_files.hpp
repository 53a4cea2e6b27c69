// Writing run outputs safely.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <orrery/atomic_file.hpp>
#include <orrery/parameter_space.hpp>
#include <orrery/sample_set.hpp>

namespace orrery::kernel {

// Every file goes through orrery::write_file_atomically (atomic_file.hpp):
// readers see the old file or the new one, never a torn one.

/// GetDist text chains: <root>.txt with rows "weight -log(density) p1 p2 ...",
/// all chains one after another, and <root>.paramnames with "name latex" lines.
/// Returns the files written (relative names).
std::vector<std::string> write_getdist(const std::filesystem::path& folder, const std::string& root,
                                       const SampleSet& samples, const ParameterSpace& space);

/// Writes the chains' per-draw statistics (Chain::draw_statistics: NUTS tree
/// depth, energy, ...) to <root>.per_draw.txt: a header line naming the
/// columns ("chain" first), then one row per draw in chain.txt's order.
/// Returns the file name, or nothing if no chain has per-draw statistics.
std::vector<std::string> write_draw_statistics(const std::filesystem::path& folder, const std::string& root,
                                               const SampleSet& samples);

}  // namespace orrery::kernel
