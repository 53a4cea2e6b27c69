// Upsample2d: nearest-neighbour up-sampling of an image batch (layout in
// image_shape.hpp) by an integer factor f: (channels, height, width) becomes
// (channels, f·height, f·width) with y(c, Y, X) = x(c, Y / f, X / f). Backward
// sums the gradient over each f×f block. With MaxPool2d/AvgPool2d of kernel f
// it restores the shape that pooling halved (for f = 2), as a U-Net's decoder needs.
#pragma once

#include <string>

#include "nn/image_shape.hpp"
#include "nn/layer.hpp"

namespace orrery::nn {

template <typename T = float>
class Upsample2d final : public Layer<T> {
 public:
  /// Throws orrery::Error if a size or the factor is not positive.
  Upsample2d(Index channels, Index height, Index width, Index factor);

  const Matrix<T>& forward(const Matrix<T>& input) override;
  const Matrix<T>& backward(const Matrix<T>& grad_output) override;
  /// "upsample2d(4x4x4,x2)": input shape and factor.
  [[nodiscard]] std::string describe() const override;

  [[nodiscard]] const ImageShape& input_shape() const { return in_; }
  [[nodiscard]] const ImageShape& output_shape() const { return out_; }
  [[nodiscard]] Index factor() const { return factor_; }

 private:
  ImageShape in_, out_;
  Index factor_;
  Matrix<T> output_, grad_input_;
};

extern template class Upsample2d<float>;
extern template class Upsample2d<double>;

}  // namespace orrery::nn
