// MseObjective: the simplest Objective — a network regressing targets on
// inputs with the mean squared error. It owns copies of the (already
// standardised) inputs and targets, one example per row; the network must
// outlive it. Batch buffers are reused, so steps of one batch size do not
// allocate after the first.
#pragma once

#include <span>
#include <utility>

#include "nn/layer.hpp"
#include "nn/loss.hpp"
#include "nn/trainer.hpp"

namespace orrery::nn {

template <typename T = float>
class MseObjective final : public Objective<T> {
 public:
  /// Throws orrery::Error if `inputs` and `targets` differ in row count.
  MseObjective(Layer<T>& network, Matrix<T> inputs, Matrix<T> targets)
      : network_(network), x_(std::move(inputs)), y_(std::move(targets)) {
    if (x_.rows() != y_.rows())
      throw Error("nn: mse objective: " + std::to_string(x_.rows()) + " input rows but " +
                  std::to_string(y_.rows()) + " target rows");
  }

  [[nodiscard]] Index rows() const override { return x_.rows(); }

  double loss_and_backward(std::span<const Index> batch) override {
    gather_rows(x_, batch, xb_);
    gather_rows(y_, batch, yb_);
    const T loss = mse_loss(network_.forward(xb_), yb_, grad_);
    network_.backward(grad_);
    return static_cast<double>(loss);
  }

  double loss(std::span<const Index> batch) override {
    gather_rows(x_, batch, xb_);
    gather_rows(y_, batch, yb_);
    return static_cast<double>(mse_loss(network_.forward(xb_), yb_, grad_));
  }

  FlatViews<T> parameters() override { return network_.parameters(); }
  FlatViews<T> gradients() override { return network_.gradients(); }
  void zero_grad() override { network_.zero_grad(); }

  [[nodiscard]] const Matrix<T>& inputs() const { return x_; }
  [[nodiscard]] const Matrix<T>& targets() const { return y_; }

 private:
  Layer<T>& network_;
  Matrix<T> x_, y_;
  Matrix<T> xb_, yb_, grad_;
};

}  // namespace orrery::nn
