// Array: a shaped block of doubles (a data vector, a map, a 3-D field).
//
// Storage is one contiguous Eigen vector in C (row-major) order: for shape
// [ny, nx] element (i, j) is values[i * nx + j]. An empty shape means a plain
// vector of values.size() entries. Large fields travel through interfaces as
// Eigen::Ref views of `values`, so no per-element cost is paid at a boundary.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

namespace orrery {

using Shape = std::vector<std::size_t>;

/// Number of elements in a shape (1 for a scalar shape []).
inline std::size_t shape_size(const Shape& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

/// "[256, 256]" for messages and manifests.
inline std::string shape_string(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

struct Array {
  Shape shape;             ///< empty: a flat vector of values.size() entries
  Eigen::VectorXd values;  ///< C order

  Array() = default;
  Array(Shape s, Eigen::VectorXd v) : shape(std::move(s)), values(std::move(v)) {}
  explicit Array(Eigen::VectorXd v) : shape{static_cast<std::size_t>(v.size())}, values(std::move(v)) {}

  [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>(values.size()); }
};

}  // namespace orrery
