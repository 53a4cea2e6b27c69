// Matrix types of the network library.
//
// Batch-first: a batch of n examples with d features is an n×d matrix, one
// example per row. Row-major storage keeps each example contiguous, which is
// what the per-row work (layer norm, activations of one example) and the
// x·W products want. float is the default scalar for training; double is
// instantiated too, for gradient checks and for gradients of likelihoods.
#pragma once

#include <Eigen/Core>
#include <vector>

namespace orrery::nn {

using Index = Eigen::Index;

template <typename T = float>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// One row of per-feature values (a bias, a layer-norm scale).
template <typename T = float>
using RowVector = Eigen::Matrix<T, 1, Eigen::Dynamic>;

/// A flat, writable view of one parameter (or gradient) tensor's storage.
template <typename T = float>
using FlatView = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>>;

template <typename T = float>
using FlatViews = std::vector<FlatView<T>>;

/// A view of all of a matrix's storage.
template <typename Derived>
FlatView<typename Derived::Scalar> flat(Eigen::PlainObjectBase<Derived>& m) {
  return FlatView<typename Derived::Scalar>(m.data(), m.size());
}

}  // namespace orrery::nn
