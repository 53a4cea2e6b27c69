// Wrappers that route a batch around an inner layer (usually a Sequential):
//
// - Residual: y = x + f(x), for a shape-preserving f (a residual block).
// - SkipConcat: y = [x, f(x)], each output row the input row followed by f's
//   output row. With the image layout of image_shape.hpp this is concatenation
//   along the channel axis whenever f keeps the height and width, which is a
//   U-Net's skip connection: wrapping f = (pool, deeper levels, upsample) gives
//   the decoder the encoder's features next to the up-sampled ones.
//
// Both own the inner layer and expose its parameters and gradients as their
// own, so optimisers and weight files see through them.
#pragma once

#include <memory>
#include <string>

#include "nn/layer.hpp"

namespace orrery::nn {

template <typename T = float>
class Residual final : public Layer<T> {
 public:
  /// Throws orrery::Error if `inner` is null.
  explicit Residual(std::unique_ptr<Layer<T>> inner);

  /// Throws orrery::Error, naming both shapes, if f(x) does not have the shape of x.
  const Matrix<T>& forward(const Matrix<T>& input) override;
  const Matrix<T>& backward(const Matrix<T>& grad_output) override;
  FlatViews<T> parameters() override { return inner_->parameters(); }
  FlatViews<T> gradients() override { return inner_->gradients(); }
  /// "residual[<inner>]"
  [[nodiscard]] std::string describe() const override { return "residual[" + inner_->describe() + "]"; }
  void zero_grad() override { inner_->zero_grad(); }

  Layer<T>& inner() { return *inner_; }

 private:
  std::unique_ptr<Layer<T>> inner_;
  Matrix<T> output_, grad_input_;
};

template <typename T = float>
class SkipConcat final : public Layer<T> {
 public:
  /// Throws orrery::Error if `branch` is null.
  explicit SkipConcat(std::unique_ptr<Layer<T>> branch);

  /// n×d → n×(d + d_branch). Throws orrery::Error if the branch changes the batch size.
  const Matrix<T>& forward(const Matrix<T>& input) override;
  const Matrix<T>& backward(const Matrix<T>& grad_output) override;
  FlatViews<T> parameters() override { return branch_->parameters(); }
  FlatViews<T> gradients() override { return branch_->gradients(); }
  /// "skip_concat[<branch>]"
  [[nodiscard]] std::string describe() const override { return "skip_concat[" + branch_->describe() + "]"; }
  void zero_grad() override { branch_->zero_grad(); }

  Layer<T>& branch() { return *branch_; }

 private:
  std::unique_ptr<Layer<T>> branch_;
  Index input_columns_ = 0;
  Matrix<T> output_, grad_branch_, grad_input_;
};

extern template class Residual<float>;
extern template class Residual<double>;
extern template class SkipConcat<float>;
extern template class SkipConcat<double>;

}  // namespace orrery::nn
