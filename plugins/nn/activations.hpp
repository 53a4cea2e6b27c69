// Element-wise activation layers: relu, tanh, elu (α = 1), silu (x·σ(x)) and
// softplus (log(1 + eˣ), computed without overflow).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "nn/layer.hpp"

namespace orrery::nn {

enum class ActivationKind { relu, tanh, elu, silu, softplus };

/// The lower-case name ("relu", ...), as used in architecture descriptions.
[[nodiscard]] std::string_view activation_name(ActivationKind kind);
/// The kind named `name`, or nothing if no activation has that name.
[[nodiscard]] std::optional<ActivationKind> activation_from_name(std::string_view name);

template <typename T = float>
class Activation final : public Layer<T> {
 public:
  explicit Activation(ActivationKind kind) : kind_(kind) {}

  const Matrix<T>& forward(const Matrix<T>& input) override;
  const Matrix<T>& backward(const Matrix<T>& grad_output) override;
  [[nodiscard]] std::string describe() const override { return std::string(activation_name(kind_)); }
  [[nodiscard]] ActivationKind kind() const { return kind_; }

 private:
  ActivationKind kind_;
  Matrix<T> input_, output_, grad_input_;
};

extern template class Activation<float>;
extern template class Activation<double>;

}  // namespace orrery::nn
