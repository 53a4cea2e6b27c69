#include "nn/layer_norm.hpp"

#include <cmath>

#include "nn/shape_check.hpp"

namespace orrery::nn {

template <typename T>
LayerNorm<T>::LayerNorm(Index features, double epsilon) : epsilon_(static_cast<T>(epsilon)) {
  if (features <= 0) throw Error("nn: layer_norm needs a positive feature count, got " + std::to_string(features));
  if (!(epsilon >= 0.0)) throw Error("nn: layer_norm epsilon must be >= 0, got " + std::to_string(epsilon));
  gamma_.setOnes(features);
  beta_.setZero(features);
  gamma_grad_.setZero(features);
  beta_grad_.setZero(features);
}

template <typename T>
const Matrix<T>& LayerNorm<T>::forward(const Matrix<T>& input) {
  detail::check_columns(describe(), "input", features(), input.rows(), input.cols());
  const Index n = input.rows();
  const T d = static_cast<T>(features());
  normalized_.resize(n, features());
  output_.resize(n, features());
  inv_std_.resize(n);
  for (Index i = 0; i < n; ++i) {
    const T mean = input.row(i).sum() / d;
    auto centred = normalized_.row(i);
    centred = input.row(i).array() - mean;
    const T var = centred.squaredNorm() / d;
    inv_std_(i) = T(1) / std::sqrt(var + epsilon_);
    centred *= inv_std_(i);
  }
  output_ = (normalized_.array().rowwise() * gamma_.array()).rowwise() + beta_.array();
  return output_;
}

template <typename T>
const Matrix<T>& LayerNorm<T>::backward(const Matrix<T>& grad_output) {
  detail::check_same_shape(describe(), "grad_output", grad_output.rows(), grad_output.cols(), output_.rows(),
                           output_.cols());
  const Index n = grad_output.rows();
  const T d = static_cast<T>(features());
  gamma_grad_ += (grad_output.array() * normalized_.array()).colwise().sum().matrix();
  beta_grad_ += grad_output.colwise().sum();
  grad_input_.resize(n, features());
  row_scratch_.resize(features());
  // With g = dL/dx̂ = dy·γ per row: dL/dx = inv_std · (g − mean(g) − x̂ · mean(g ⊙ x̂)).
  for (Index i = 0; i < n; ++i) {
    row_scratch_ = grad_output.row(i).cwiseProduct(gamma_);
    const T mean_g = row_scratch_.sum() / d;
    const T mean_gx = row_scratch_.dot(normalized_.row(i)) / d;
    grad_input_.row(i) = inv_std_(i) * (row_scratch_.array() - mean_g - normalized_.row(i).array() * mean_gx).matrix();
  }
  return grad_input_;
}

template <typename T>
FlatViews<T> LayerNorm<T>::parameters() {
  return {flat(gamma_), flat(beta_)};
}

template <typename T>
FlatViews<T> LayerNorm<T>::gradients() {
  return {flat(gamma_grad_), flat(beta_grad_)};
}

template <typename T>
std::string LayerNorm<T>::describe() const {
  return "layer_norm(" + std::to_string(features()) + ")";
}

template class LayerNorm<float>;
template class LayerNorm<double>;

}  // namespace orrery::nn
