// A minimal NumPy .npy reader and writer for float64 arrays, so simulation
// sets are readable by anyone (`numpy.load("theta.npy")`).
//
// Format (NumPy's own specification, "format.py"): the magic "\x93NUMPY",
// a version (1.0 written; 1.0, 2.0 and 3.0 read), a little-endian header
// length (uint16 for v1, uint32 for v2/v3), and a Python-dict header
// `{'descr': '<f8', 'fortran_order': False, 'shape': (n, d), }` padded with
// spaces and a newline to a multiple of 64 bytes; then the values.
//
// Only little-endian float64 in C order is read or written: any other dtype,
// Fortran order, a truncated file or a malformed header is an orrery::Error
// that names the file and what was found. A one-time I/O step, not a hot path.
#pragma once

#include <Eigen/Core>
#include <filesystem>

#include <orrery/array.hpp>

namespace orrery::simulation {

/// Writes `array` (values in C order, shape as given; an empty shape is
/// written as the 1-D shape (size,)) to `path`, first under a temporary name
/// in the same folder, then renamed into place. Throws Error on I/O failure or
/// when the shape does not match the number of values.
void write_npy(const std::filesystem::path& path, const Array& array);

/// Reads a float64, C-order .npy file of any rank. Throws Error (naming the
/// file) for anything else.
Array read_npy(const std::filesystem::path& path);

/// The common case of simulation sets: `columns` holds one item per column
/// (rows × n, Eigen column-major), written as the C-order 2-D array n × rows,
/// one item per row: the memory layouts coincide, so nothing is transposed.
void write_npy_columns(const std::filesystem::path& path, const Eigen::Ref<const Eigen::MatrixXd>& columns);

/// Reads a 2-D n × rows file written by write_npy_columns back as rows × n.
/// `rows` is the expected item size: a file of another rank or width is an
/// Error naming the file, both shapes and `what` (e.g. "θ").
Eigen::MatrixXd read_npy_columns(const std::filesystem::path& path, Eigen::Index rows, const char* what);

}  // namespace orrery::simulation
