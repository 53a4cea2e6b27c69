#include "nn/adam.hpp"

#include <cmath>
#include <string>

#include "orrery/error.hpp"

namespace orrery::nn {

namespace {

void check_options(const AdamOptions& o) {
  auto fail = [](const std::string& what) { throw Error("nn: adam: " + what); };
  if (!(o.learning_rate >= 0.0)) fail("learning_rate must be >= 0, got " + std::to_string(o.learning_rate));
  if (!(o.beta1 >= 0.0 && o.beta1 < 1.0)) fail("beta1 must be in [0, 1), got " + std::to_string(o.beta1));
  if (!(o.beta2 >= 0.0 && o.beta2 < 1.0)) fail("beta2 must be in [0, 1), got " + std::to_string(o.beta2));
  if (!(o.epsilon > 0.0)) fail("epsilon must be > 0, got " + std::to_string(o.epsilon));
  if (!(o.weight_decay >= 0.0)) fail("weight_decay must be >= 0, got " + std::to_string(o.weight_decay));
  if (!(o.clip_norm >= 0.0)) fail("clip_norm must be >= 0 (0 disables), got " + std::to_string(o.clip_norm));
}

}  // namespace

template <typename T>
double global_norm(const FlatViews<T>& gradients) {
  double sum = 0.0;
  for (const auto& g : gradients) sum += g.template cast<double>().squaredNorm();
  return std::sqrt(sum);
}

template <typename T>
double clip_grad_norm(FlatViews<T>& gradients, double max_norm) {
  if (!(max_norm > 0.0)) throw Error("nn: clip_grad_norm: max_norm must be > 0, got " + std::to_string(max_norm));
  const double norm = global_norm(gradients);
  if (norm > max_norm) {
    const T scale = static_cast<T>(max_norm / norm);
    for (auto& g : gradients) g *= scale;
  }
  return norm;
}

template <typename T>
Adam<T>::Adam(Layer<T>& model, AdamOptions options) : Adam(model.parameters(), model.gradients(), options, false) {}

template <typename T>
Adam<T>::Adam(FlatViews<T> parameters, FlatViews<T> gradients, AdamOptions options)
    : Adam(std::move(parameters), std::move(gradients), options, false) {}

template <typename T>
Adam<T>::Adam(FlatViews<T> parameters, FlatViews<T> gradients, AdamOptions options, bool decoupled)
    : parameters_(std::move(parameters)), gradients_(std::move(gradients)), options_(options), decoupled_(decoupled) {
  check_options(options_);
  if (parameters_.size() != gradients_.size())
    throw Error("nn: adam: " + std::to_string(parameters_.size()) + " parameter tensors but " +
                std::to_string(gradients_.size()) + " gradient tensors");
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    if (parameters_[i].size() != gradients_[i].size())
      throw Error("nn: adam: parameter tensor " + std::to_string(i) + " has " + std::to_string(parameters_[i].size()) +
                  " values but its gradient has " + std::to_string(gradients_[i].size()));
    m_.emplace_back(Eigen::Matrix<T, Eigen::Dynamic, 1>::Zero(parameters_[i].size()));
    v_.emplace_back(Eigen::Matrix<T, Eigen::Dynamic, 1>::Zero(parameters_[i].size()));
  }
}

template <typename T>
double Adam<T>::learning_rate() const {
  return schedule_ ? schedule_(steps_) : options_.learning_rate;
}

template <typename T>
double Adam<T>::step() {
  const double norm = global_norm(gradients_);
  if (!std::isfinite(norm))
    throw Error("nn: adam: non-finite gradient norm at step " + std::to_string(steps_ + 1) +
                "; parameters left unchanged");
  if (options_.clip_norm > 0.0 && norm > options_.clip_norm) {
    const T scale = static_cast<T>(options_.clip_norm / norm);
    for (auto& g : gradients_) g *= scale;
  }
  const double rate = learning_rate();
  ++steps_;
  const double t = static_cast<double>(steps_);
  const T b1 = static_cast<T>(options_.beta1), b2 = static_cast<T>(options_.beta2);
  const T eps = static_cast<T>(options_.epsilon), decay = static_cast<T>(options_.weight_decay);
  // Bias corrections folded into the step size and the denominator, as in PyTorch.
  const T step_size = static_cast<T>(rate / (1.0 - std::pow(options_.beta1, t)));
  const T inv_sqrt_bc2 = static_cast<T>(1.0 / std::sqrt(1.0 - std::pow(options_.beta2, t)));
  const T shrink = static_cast<T>(1.0 - rate * options_.weight_decay);
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    auto theta = parameters_[i].array();
    auto g = gradients_[i].array();
    auto m = m_[i].array();
    auto v = v_[i].array();
    if (decoupled_) {
      theta *= shrink;
      m = b1 * m + (T(1) - b1) * g;
      v = b2 * v + (T(1) - b2) * g.square();
    } else {
      // L2 penalty in the gradient (without writing it back into the caller's gradient buffer).
      m = b1 * m + (T(1) - b1) * (g + decay * theta);
      v = b2 * v + (T(1) - b2) * (g + decay * theta).square();
    }
    theta -= step_size * m / (v.sqrt() * inv_sqrt_bc2 + eps);
  }
  return norm;
}

template <typename T>
AdamW<T>::AdamW(Layer<T>& model, AdamOptions options) : Adam<T>(model.parameters(), model.gradients(), options, true) {}

template <typename T>
AdamW<T>::AdamW(FlatViews<T> parameters, FlatViews<T> gradients, AdamOptions options)
    : Adam<T>(std::move(parameters), std::move(gradients), options, true) {}

template class Adam<float>;
template class Adam<double>;
template class AdamW<float>;
template class AdamW<double>;
template double clip_grad_norm<float>(FlatViews<float>&, double);
template double clip_grad_norm<double>(FlatViews<double>&, double);
template double global_norm<float>(const FlatViews<float>&);
template double global_norm<double>(const FlatViews<double>&);

}  // namespace orrery::nn
