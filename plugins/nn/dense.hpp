// Dense: the affine layer y = x·W + b for a batch x (n×in), W (in×out), b (1×out).
#pragma once

#include <string>

#include "nn/layer.hpp"
#include "orrery/random.hpp"

namespace orrery::nn {

enum class Init {
  glorot_uniform,  ///< U(−a, a), a = √(6 / (in + out)): for tanh / linear layers
  he_normal,       ///< N(0, 2 / in): for ReLU-family layers
};

template <typename T = float>
class Dense final : public Layer<T> {
 public:
  /// Weights drawn from `rng` by `init`; biases zero. Throws orrery::Error if a size is not positive.
  Dense(Index inputs, Index outputs, RandomStream& rng, Init init = Init::glorot_uniform);

  const Matrix<T>& forward(const Matrix<T>& input) override;
  const Matrix<T>& backward(const Matrix<T>& grad_output) override;
  FlatViews<T> parameters() override;
  FlatViews<T> gradients() override;
  [[nodiscard]] std::string describe() const override;
  void zero_grad() override {
    weight_grad_.setZero();
    bias_grad_.setZero();
  }

  [[nodiscard]] Index inputs() const { return weight_.rows(); }
  [[nodiscard]] Index outputs() const { return weight_.cols(); }
  Matrix<T>& weight() { return weight_; }
  RowVector<T>& bias() { return bias_; }

 private:
  Matrix<T> weight_, weight_grad_;
  RowVector<T> bias_, bias_grad_;
  Matrix<T> input_, output_, grad_input_;
};

extern template class Dense<float>;
extern template class Dense<double>;

}  // namespace orrery::nn
