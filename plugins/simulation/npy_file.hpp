// The simulation library's view of NumPy files: orrery/npy.hpp's reader and
// writer, plus the layout of simulation sets (one item per row of a 2-D
// array, so `numpy.load("theta.npy")[i]` is item i).
#pragma once

#include <Eigen/Core>
#include <filesystem>

#include <orrery/npy.hpp>

namespace orrery::simulation {

using orrery::read_npy;
using orrery::write_npy;

/// The common case of simulation sets: `columns` holds one item per column
/// (rows × n, Eigen column-major), written as the C-order 2-D array n × rows,
/// one item per row: the memory layouts coincide, so nothing is transposed.
void write_npy_columns(const std::filesystem::path& path, const Eigen::Ref<const Eigen::MatrixXd>& columns);

/// Reads a 2-D n × rows file written by write_npy_columns back as rows × n.
/// `rows` is the expected item size: a file of another rank or width is an
/// Error naming the file, both shapes and `what` (e.g. "θ").
Eigen::MatrixXd read_npy_columns(const std::filesystem::path& path, Eigen::Index rows, const char* what);

}  // namespace orrery::simulation
