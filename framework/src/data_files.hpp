// Reading numeric arrays from data files named in configs.
//
//   *.npy  NumPy v1-v3 arrays of little-endian float64, float32, int64 or int32, C order
//          (orrery/npy.hpp)
//   other  plain text: numbers separated by whitespace or commas, '#' comments;
//          one row per line gives shape [rows, cols] (or [n] for a single column/row)
#pragma once

#include <filesystem>

#include <orrery/array.hpp>

namespace orrery::kernel {

/// Throws ConfigError naming the file (and line for text) on any problem.
Array read_array(const std::filesystem::path& file);

}  // namespace orrery::kernel
