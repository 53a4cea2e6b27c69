// Losses: value and gradient with respect to the prediction in one call.
#pragma once

#include "nn/matrix.hpp"

namespace orrery::nn {

/// Mean squared error over all entries, (1/(n·d)) Σ (prediction − target)²;
/// writes dL/d(prediction) into `grad` (resized to the prediction's shape).
/// Throws orrery::Error if the shapes differ or the batch is empty.
template <typename T>
T mse_loss(const Matrix<T>& prediction, const Matrix<T>& target, Matrix<T>& grad);

extern template float mse_loss<float>(const Matrix<float>&, const Matrix<float>&, Matrix<float>&);
extern template double mse_loss<double>(const Matrix<double>&, const Matrix<double>&, Matrix<double>&);

}  // namespace orrery::nn
