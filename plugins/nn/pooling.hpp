// MaxPool2d and AvgPool2d: non-overlapping k×k pooling (stride = kernel) of each
// channel of an image batch (layout in image_shape.hpp).
//
// The output of an input (channels, height, width) is (channels, height / k,
// width / k) with floor division, as PyTorch's default: trailing rows and
// columns that do not fill a window are ignored and get a zero gradient.
// Max pooling sends the gradient to the first maximum of each window (row-major
// order within the window), and a NaN in a window propagates to its output.
#pragma once

#include <string>

#include "nn/image_shape.hpp"
#include "nn/layer.hpp"

namespace orrery::nn {

template <typename T = float>
class MaxPool2d final : public Layer<T> {
 public:
  /// Throws orrery::Error if a size is not positive or the kernel is larger than the image.
  MaxPool2d(Index channels, Index height, Index width, Index kernel);

  const Matrix<T>& forward(const Matrix<T>& input) override;
  const Matrix<T>& backward(const Matrix<T>& grad_output) override;
  /// "max_pool2d(4x8x8,k2)": input shape and kernel.
  [[nodiscard]] std::string describe() const override;

  [[nodiscard]] const ImageShape& input_shape() const { return in_; }
  [[nodiscard]] const ImageShape& output_shape() const { return out_; }

 private:
  ImageShape in_, out_;
  Index kernel_;
  Matrix<T> output_, grad_input_;
  // For every output entry, the index within its input row of the maximum it took.
  Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> argmax_;
};

template <typename T = float>
class AvgPool2d final : public Layer<T> {
 public:
  /// Throws orrery::Error if a size is not positive or the kernel is larger than the image.
  AvgPool2d(Index channels, Index height, Index width, Index kernel);

  const Matrix<T>& forward(const Matrix<T>& input) override;
  const Matrix<T>& backward(const Matrix<T>& grad_output) override;
  /// "avg_pool2d(4x8x8,k2)": input shape and kernel.
  [[nodiscard]] std::string describe() const override;

  [[nodiscard]] const ImageShape& input_shape() const { return in_; }
  [[nodiscard]] const ImageShape& output_shape() const { return out_; }

 private:
  ImageShape in_, out_;
  Index kernel_;
  Matrix<T> output_, grad_input_;
};

extern template class MaxPool2d<float>;
extern template class MaxPool2d<double>;
extern template class AvgPool2d<float>;
extern template class AvgPool2d<double>;

}  // namespace orrery::nn
