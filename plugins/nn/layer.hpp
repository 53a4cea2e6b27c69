// Layer: one differentiable step of a network, with an explicit backward pass.
//
// Contract (every implementation):
// - forward(input) takes an n×d_in batch and returns a reference to the layer's
//   own n×d_out output buffer, valid until the next forward on this layer. It
//   caches what backward needs (so forward, then backward, on the same layer;
//   a layer is not thread-safe). Buffers are resized only when the batch size
//   changes, so repeated calls with one batch size do not allocate.
// - backward(grad_output) takes dL/d(output) for the last forward's batch
//   (n×d_out), ADDS dL/d(parameters) into the gradient buffers (call zero_grad
//   between steps) and returns dL/d(input), n×d_in, again a reference to an
//   internal buffer valid until the next backward.
// - parameters() and gradients() return views of the parameter tensors and of
//   their gradient buffers, in the same order and with the same sizes. The
//   storage never moves after construction, so an optimiser may keep them.
// - describe() names the architecture (type and shapes, not values); weight
//   files store it and loading checks it.
// Shapes that do not match throw orrery::Error naming the layer.
#pragma once

#include <string>

#include "nn/matrix.hpp"
#include "orrery/error.hpp"

namespace orrery::nn {

template <typename T = float>
class Layer {
 public:
  Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;
  virtual ~Layer() = default;

  virtual const Matrix<T>& forward(const Matrix<T>& input) = 0;
  virtual const Matrix<T>& backward(const Matrix<T>& grad_output) = 0;

  /// Views of the trainable tensors; empty for parameter-free layers.
  virtual FlatViews<T> parameters() { return {}; }
  /// Views of the gradient buffers matching parameters() one to one.
  virtual FlatViews<T> gradients() { return {}; }

  [[nodiscard]] virtual std::string describe() const = 0;

  /// Sets every gradient buffer to zero. Layers with parameters override this to
  /// avoid building the views' vector on every training step.
  virtual void zero_grad() {
    for (auto& g : gradients()) g.setZero();
  }
  [[nodiscard]] Index parameter_count() {
    Index n = 0;
    for (const auto& p : parameters()) n += p.size();
    return n;
  }
};

}  // namespace orrery::nn
