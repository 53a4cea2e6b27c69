// Finite-difference reference for a layer's backward pass, in double.
//
// The scalar probed is L(x, θ) = Σ R ⊙ layer.forward(x) for a fixed random R,
// so backward(R) must return dL/dx and accumulate dL/dθ. Each derivative is
// compared with the fourth-order central difference
//   [−L(+2h) + 8 L(+h) − 8 L(−h) + L(−2h)] / (12 h),   h = 1e-3,
// whose truncation (~h⁴) and round-off (~1e-16·|L|/h) errors are both near
// 1e-12, well below the 1e-6 tolerance.
#pragma once

#include <algorithm>
#include <cmath>

#include "nn/layer.hpp"
#include "orrery/random.hpp"

namespace orrery::nn::test {

struct GradientErrors {
  double input = 0.0;      ///< max relative error of dL/dx
  double parameter = 0.0;  ///< max relative error of dL/dθ (0 when the layer has none)
};

/// |a − n| / max(|a|, |n|, floor): relative, with a floor so that exact zeros (relu for x < 0)
/// compare absolutely against the ~1e-12 round-off of the stencil.
inline double relative_error(double analytic, double numeric, double floor = 1e-5) {
  return std::abs(analytic - numeric) / std::max({std::abs(analytic), std::abs(numeric), floor});
}

inline GradientErrors check_gradients(Layer<double>& layer, const Matrix<double>& input, RandomStream& rng) {
  const double h = 1e-3;
  Matrix<double> x = input;
  const Matrix<double> first = layer.forward(x);
  Matrix<double> weights(first.rows(), first.cols());
  rng.fill_normal(weights);
  auto loss = [&]() { return layer.forward(x).cwiseProduct(weights).sum(); };
  auto stencil = [&](double& v) {
    const double v0 = v;
    v = v0 + 2 * h;
    const double p2 = loss();
    v = v0 + h;
    const double p1 = loss();
    v = v0 - h;
    const double m1 = loss();
    v = v0 - 2 * h;
    const double m2 = loss();
    v = v0;
    return (-p2 + 8 * p1 - 8 * m1 + m2) / (12 * h);
  };

  layer.zero_grad();
  layer.forward(x);
  const Matrix<double> grad_input = layer.backward(weights);
  FlatViews<double> grads = layer.gradients();
  std::vector<Eigen::VectorXd> grad_params;
  for (const auto& g : grads) grad_params.emplace_back(g);

  GradientErrors errors;
  for (Index i = 0; i < x.size(); ++i)
    errors.input = std::max(errors.input, relative_error(grad_input.data()[i], stencil(x.data()[i])));
  FlatViews<double> params = layer.parameters();
  for (std::size_t t = 0; t < params.size(); ++t)
    for (Index i = 0; i < params[t].size(); ++i)
      errors.parameter = std::max(errors.parameter, relative_error(grad_params[t](i), stencil(params[t](i))));
  return errors;
}

/// Sets every parameter of `layer` to a standard normal draw (so biases, γ and β are not at their
/// initial 0 / 1, which could hide a missing term).
inline void randomize_parameters(Layer<double>& layer, RandomStream& rng) {
  for (auto& p : layer.parameters()) rng.fill_normal(p);
}

}  // namespace orrery::nn::test
