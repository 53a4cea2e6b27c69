#include "nn/activations.hpp"

#include <array>
#include <cmath>

#include "nn/shape_check.hpp"

namespace orrery::nn {

namespace {

constexpr std::array<std::pair<ActivationKind, std::string_view>, 5> kNames{{
    {ActivationKind::relu, "relu"},
    {ActivationKind::tanh, "tanh"},
    {ActivationKind::elu, "elu"},
    {ActivationKind::silu, "silu"},
    {ActivationKind::softplus, "softplus"},
}};

// Logistic σ(x) without overflow of exp for large |x|.
template <typename T>
T sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

}  // namespace

std::string_view activation_name(ActivationKind kind) {
  for (const auto& [k, name] : kNames)
    if (k == kind) return name;
  return "unknown";
}

std::optional<ActivationKind> activation_from_name(std::string_view name) {
  for (const auto& [k, n] : kNames)
    if (n == name) return k;
  return std::nullopt;
}

template <typename T>
const Matrix<T>& Activation<T>::forward(const Matrix<T>& input) {
  input_ = input;
  output_.resize(input.rows(), input.cols());
  const auto x = input.array();
  auto y = output_.array();
  switch (kind_) {
    case ActivationKind::relu: y = x.max(T(0)); break;
    case ActivationKind::tanh: y = x.tanh(); break;
    case ActivationKind::elu: y = (x > T(0)).select(x, x.exp() - T(1)); break;
    case ActivationKind::silu: y = x.unaryExpr([](T v) { return v * sigmoid(v); }); break;
    case ActivationKind::softplus:
      // log(1 + eˣ) = max(x, 0) + log1p(e^−|x|): no overflow for large x, no loss for very negative x.
      y = x.unaryExpr([](T v) { return std::max(v, T(0)) + std::log1p(std::exp(-std::abs(v))); });
      break;
  }
  return output_;
}

template <typename T>
const Matrix<T>& Activation<T>::backward(const Matrix<T>& grad_output) {
  detail::check_same_shape(describe(), "grad_output", grad_output.rows(), grad_output.cols(), output_.rows(),
                           output_.cols());
  grad_input_.resize(grad_output.rows(), grad_output.cols());
  const auto g = grad_output.array();
  const auto x = input_.array();
  const auto y = output_.array();
  auto dx = grad_input_.array();
  switch (kind_) {
    case ActivationKind::relu: dx = (x > T(0)).select(g, T(0)); break;
    case ActivationKind::tanh: dx = g * (T(1) - y.square()); break;
    case ActivationKind::elu: dx = g * (x > T(0)).select(T(1), y + T(1)); break;
    case ActivationKind::silu:
      // d/dx [x σ(x)] = σ(x) (1 + x (1 − σ(x)))
      dx = g * x.unaryExpr([](T v) {
        const T s = sigmoid(v);
        return s * (T(1) + v * (T(1) - s));
      });
      break;
    case ActivationKind::softplus: dx = g * x.unaryExpr([](T v) { return sigmoid(v); }); break;
  }
  return grad_input_;
}

template class Activation<float>;
template class Activation<double>;

}  // namespace orrery::nn
