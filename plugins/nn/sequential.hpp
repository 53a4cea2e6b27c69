// Sequential: layers applied in order; itself a Layer, so containers nest.
// forward returns the last layer's output buffer; backward runs the layers in
// reverse and returns the first layer's input gradient.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nn/layer.hpp"

namespace orrery::nn {

template <typename T = float>
class Sequential final : public Layer<T> {
 public:
  Sequential() = default;

  /// Appends `layer` (must not be null) and returns it.
  Layer<T>& add(std::unique_ptr<Layer<T>> layer);
  /// Constructs a layer of type L in place and returns it.
  template <typename L, typename... Args>
  L& emplace(Args&&... args) {
    auto layer = std::make_unique<L>(std::forward<Args>(args)...);
    L& ref = *layer;
    add(std::move(layer));
    return ref;
  }

  /// Throws orrery::Error if there are no layers.
  const Matrix<T>& forward(const Matrix<T>& input) override;
  const Matrix<T>& backward(const Matrix<T>& grad_output) override;
  FlatViews<T> parameters() override;
  FlatViews<T> gradients() override;
  /// "sequential[dense(1->32),tanh,...]"
  [[nodiscard]] std::string describe() const override;
  void zero_grad() override {
    for (auto& layer : layers_) layer->zero_grad();
  }

  [[nodiscard]] std::size_t size() const { return layers_.size(); }
  Layer<T>& operator[](std::size_t i) { return *layers_.at(i); }

 private:
  std::vector<std::unique_ptr<Layer<T>>> layers_;
};

extern template class Sequential<float>;
extern template class Sequential<double>;

}  // namespace orrery::nn
