// Versioned weight files for a network (any Layer, usually a Sequential).
//
// Layout (little-endian):
//   "ORRERYNN"                  8-byte magic
//   u32 format version         (kWeightFormatVersion)
//   u32 scalar size in bytes   (4: float, 8: double)
//   u64 length, bytes          architecture description (Layer::describe())
//   u64 tensor count, then u64 size of each tensor
//   the tensors' values, in parameters() order
//   u64 FNV-1a hash of the values' bytes
// A file may be loaded into a network of the other scalar type (values are
// converted). Saving goes through orrery::write_file_atomically (a temporary
// file beside `path`, then a rename), so an interrupted save never leaves a
// truncated file under `path`.
#pragma once

#include <cstdint>
#include <filesystem>

#include "nn/layer.hpp"

namespace orrery::nn {

inline constexpr std::uint32_t kWeightFormatVersion = 1;

/// Writes `network`'s architecture and parameters to `path` (replacing it).
/// Throws orrery::Error naming the file if it cannot be written.
template <typename T>
void save_weights(Layer<T>& network, const std::filesystem::path& path);

/// Reads `path` into `network`. Throws orrery::Error naming the file, leaving
/// `network` unchanged, if the file is missing, truncated, corrupt, of another
/// format version, or written for another architecture (both descriptions are
/// in the message).
template <typename T>
void load_weights(Layer<T>& network, const std::filesystem::path& path);

extern template void save_weights<float>(Layer<float>&, const std::filesystem::path&);
extern template void save_weights<double>(Layer<double>&, const std::filesystem::path&);
extern template void load_weights<float>(Layer<float>&, const std::filesystem::path&);
extern template void load_weights<double>(Layer<double>&, const std::filesystem::path&);

}  // namespace orrery::nn
