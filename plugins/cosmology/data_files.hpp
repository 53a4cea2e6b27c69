// Reading data vectors and writing output files.
//
// Data vectors (the `data` option of cosmology.gaussian_cl_likelihood):
//   *.npy   NumPy format 1.0-3.0, little-endian float64 or float32, C order, any shape (flattened)
//   other   text: numbers separated by whitespace or commas, '#' starts a comment; read row by row
//
// Outputs are written to a hidden temporary name in the same folder and then
// renamed into place, so a file either exists complete or not at all.
#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <string>

namespace orrery::cosmology {

/// Throws orrery::Error naming the file (and the line for text) on any problem.
Eigen::VectorXd read_data_vector(const std::filesystem::path& file);

/// "%.*e" of a number, for tables (17 significant digits by default: round-trips).
std::string table_number(double value, int digits = 17);

}  // namespace orrery::cosmology
