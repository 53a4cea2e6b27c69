#include "nn/dense.hpp"

#include <cmath>

#include "nn/shape_check.hpp"

namespace orrery::nn {

template <typename T>
Dense<T>::Dense(Index inputs, Index outputs, RandomStream& rng, Init init) {
  if (inputs <= 0 || outputs <= 0)
    throw Error("nn: dense layer needs positive sizes, got " + std::to_string(inputs) + " -> " +
                std::to_string(outputs));
  weight_.resize(inputs, outputs);
  if (init == Init::glorot_uniform) {
    const double a = std::sqrt(6.0 / static_cast<double>(inputs + outputs));
    for (Index i = 0; i < weight_.size(); ++i) weight_.data()[i] = static_cast<T>(rng.uniform(-a, a));
  } else {
    const double sd = std::sqrt(2.0 / static_cast<double>(inputs));
    for (Index i = 0; i < weight_.size(); ++i) weight_.data()[i] = static_cast<T>(sd * rng.normal());
  }
  weight_grad_.setZero(inputs, outputs);
  bias_.setZero(outputs);
  bias_grad_.setZero(outputs);
}

template <typename T>
const Matrix<T>& Dense<T>::forward(const Matrix<T>& input) {
  detail::check_columns(describe(), "input", inputs(), input.rows(), input.cols());
  input_ = input;  // kept for dW = xᵀ·dy; same-shape assignment does not allocate
  output_.resize(input.rows(), outputs());
  output_.noalias() = input * weight_;
  output_.rowwise() += bias_;
  return output_;
}

template <typename T>
const Matrix<T>& Dense<T>::backward(const Matrix<T>& grad_output) {
  detail::check_same_shape(describe(), "grad_output", grad_output.rows(), grad_output.cols(), output_.rows(),
                           output_.cols());
  weight_grad_.noalias() += input_.transpose() * grad_output;
  bias_grad_ += grad_output.colwise().sum();
  grad_input_.resize(grad_output.rows(), inputs());
  grad_input_.noalias() = grad_output * weight_.transpose();
  return grad_input_;
}

template <typename T>
FlatViews<T> Dense<T>::parameters() {
  return {flat(weight_), flat(bias_)};
}

template <typename T>
FlatViews<T> Dense<T>::gradients() {
  return {flat(weight_grad_), flat(bias_grad_)};
}

template <typename T>
std::string Dense<T>::describe() const {
  return "dense(" + std::to_string(inputs()) + "->" + std::to_string(outputs()) + ")";
}

template class Dense<float>;
template class Dense<double>;

}  // namespace orrery::nn
