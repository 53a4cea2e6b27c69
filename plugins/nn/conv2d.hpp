// Conv2d: 2-D convolution (cross-correlation, as in PyTorch) with a square
// kernel, stride, zero padding and a per-output-channel bias.
//
// Input rows are images of shape (in_channels, height, width) and output rows
// images of shape (out_channels, out_height, out_width), both flattened in C
// order (see image_shape.hpp), with
//     out_height = (height + 2·padding − kernel) / stride + 1   (floor)
// and the same for the width. Input pixels that no window reaches (when the
// stride does not divide evenly) get a zero gradient, as in PyTorch.
//
// Method: for each example the input is unfolded ("im2col") into a
// (in_channels·kernel²) × (out_height·out_width) matrix, whose column p holds
// the window of output pixel p, and the output is one GEMM, W · columns, with
// W of shape out_channels × (in_channels·kernel²); W's row o is the kernel of
// output channel o laid out as (in_channel, kernel row, kernel column), which
// is PyTorch's weight layout. Backward recomputes the unfolding (cheaper in
// memory than keeping one per example), then dW += dY · columnsᵀ and
// d(columns) = Wᵀ · dY, folded back onto the input ("col2im").
// Working buffers are members, sized for one example or for the batch, so
// repeated calls with one batch size do not allocate.
#pragma once

#include <string>

#include "nn/dense.hpp"
#include "nn/image_shape.hpp"
#include "nn/layer.hpp"
#include "orrery/random.hpp"

namespace orrery::nn {

template <typename T = float>
class Conv2d final : public Layer<T> {
 public:
  /// Weights drawn from `rng` by `init` with fan_in = in_channels·kernel² and
  /// fan_out = out_channels·kernel² (PyTorch's convention); biases zero.
  /// Throws orrery::Error if a size is not positive, padding is negative, or the
  /// padded input is smaller than the kernel.
  Conv2d(Index in_channels, Index out_channels, Index kernel, Index stride, Index padding, Index height,
         Index width, RandomStream& rng, Init init = Init::glorot_uniform);

  const Matrix<T>& forward(const Matrix<T>& input) override;
  const Matrix<T>& backward(const Matrix<T>& grad_output) override;
  FlatViews<T> parameters() override;
  FlatViews<T> gradients() override;
  /// "conv2d(3x16x16->8,k3,s1,p1)": input shape, output channels, kernel, stride, padding.
  [[nodiscard]] std::string describe() const override;
  void zero_grad() override {
    weight_grad_.setZero();
    bias_grad_.setZero();
  }

  [[nodiscard]] const ImageShape& input_shape() const { return in_; }
  [[nodiscard]] const ImageShape& output_shape() const { return out_; }
  [[nodiscard]] Index kernel() const { return kernel_; }
  [[nodiscard]] Index stride() const { return stride_; }
  [[nodiscard]] Index padding() const { return padding_; }
  /// out_channels × (in_channels·kernel²), row o = kernel of output channel o as (c, ky, kx).
  Matrix<T>& weight() { return weight_; }
  RowVector<T>& bias() { return bias_; }

 private:
  // Unfolds example `image` (one input row) into columns_.
  void im2col(const T* image);
  // Adds columns_grad_ back onto `image_grad` (one input-gradient row, zeroed by the caller).
  void col2im(T* image_grad) const;

  ImageShape in_, out_;
  Index kernel_, stride_, padding_;
  Matrix<T> weight_, weight_grad_;
  RowVector<T> bias_, bias_grad_;
  Matrix<T> input_, output_, grad_input_;
  Matrix<T> columns_, columns_grad_;  // (in_channels·kernel²) × (out_height·out_width), one example
};

extern template class Conv2d<float>;
extern template class Conv2d<double>;

}  // namespace orrery::nn
