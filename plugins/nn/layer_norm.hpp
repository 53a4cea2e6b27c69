// LayerNorm: normalises each example (row) over its features, then scales and
// shifts per feature: y = (x − mean) / √(var + ε) · γ + β, with the biased
// (1/d) variance. γ starts at 1 and β at 0.
#pragma once

#include <string>

#include "nn/layer.hpp"

namespace orrery::nn {

template <typename T = float>
class LayerNorm final : public Layer<T> {
 public:
  /// Throws orrery::Error if `features` is not positive or `epsilon` is negative.
  explicit LayerNorm(Index features, double epsilon = 1e-5);

  const Matrix<T>& forward(const Matrix<T>& input) override;
  const Matrix<T>& backward(const Matrix<T>& grad_output) override;
  FlatViews<T> parameters() override;
  FlatViews<T> gradients() override;
  [[nodiscard]] std::string describe() const override;
  void zero_grad() override {
    gamma_grad_.setZero();
    beta_grad_.setZero();
  }

  [[nodiscard]] Index features() const { return gamma_.size(); }
  RowVector<T>& gamma() { return gamma_; }
  RowVector<T>& beta() { return beta_; }

 private:
  T epsilon_;
  RowVector<T> gamma_, beta_, gamma_grad_, beta_grad_;
  Matrix<T> normalized_, output_, grad_input_;  // normalized_ = x̂, kept for backward
  Eigen::Matrix<T, Eigen::Dynamic, 1> inv_std_;  // 1/√(var + ε) per example
  RowVector<T> row_scratch_;
};

extern template class LayerNorm<float>;
extern template class LayerNorm<double>;

}  // namespace orrery::nn
