// SplineStep: one rational-quadratic spline transform of a neural spline flow
// (Durkan et al. 2019, the autoregressive variant: nflows'
// MaskedPiecewiseRationalQuadraticAutoregressiveTransform with tails="linear"),
// i.e. what MafModel does per transform when its `transform` is spline. The MADE
// itself stays in MafModel; this class turns its raw outputs into the spline
// and back-propagates through it.
//
// Transform t, with r = MADE_t([z_t | b]) (n × D·P, P = 3K − 1, variable j's
// numbers at columns j·P .. j·P + P − 1, each with variable j's degree):
//   θ = r with the K raw widths and K raw heights of every variable divided by
//       √hidden (nflows does this for a MADE with `hidden_features`),
//   z_{t+1} = RQS(z_t; θ)  element-wise (rq_spline.hpp: K bins on [−B, B], identity outside),
//   log q  += Σ_i log|∂z_{t+1,i}/∂z_{t,i}|.
// Backward, given g = ∂L/∂z_{t+1} and w_i = ∂L/∂(row i's log-determinant):
//   RqSpline::backward gives ∂L/∂z_t (through the spline's input only) and ∂L/∂θ;
//   ∂L/∂r = ∂L/∂θ with the width and height columns divided by √hidden again. The caller
//   sends ∂L/∂r into the MADE and adds the MADE's input gradient to ∂L/∂z_t.
// Sampling inverts the step, z_t = RQS⁻¹(z_{t+1}; θ), with D passes of the MADE
// done by the caller (pass p fixes the variable of degree p).
//
// Initialisation (initialise_head): the MADE's output layer weights are scaled
// by 0.01, the bias is 0 for widths and heights and identity_raw_derivative()
// for the K − 1 interior slopes, so the initial step is close to y = x.
//
// Buffers are reused between calls (no allocation once sizes are stable); a
// step is not thread-safe (one per MafModel replica, like its MADE).
#pragma once

#include <vector>

#include "conditional_model.hpp"
#include "nn/masked_dense.hpp"
#include "rq_spline.hpp"

namespace orrery::nde {

template <typename T>
class SplineStep {
 public:
  using Mat = MatrixT<T>;
  using Vec = VectorT<T>;

  /// `hidden` is the MADE's hidden width (the √hidden divisor). Throws orrery::Error for an invalid config.
  SplineStep(const RqSplineConfig& config, Eigen::Index hidden);

  /// P = 3K − 1 raw MADE outputs per variable.
  [[nodiscard]] Eigen::Index params_per_variable() const { return spline_.params_per_variable(); }

  /// The MADE output degrees: variable j's degree repeated P times, variable-major (nflows' layout).
  static std::vector<int> output_degrees(const std::vector<int>& variable_degrees, Eigen::Index per_variable);

  /// Near-identity start for the MADE's output layer (D·P outputs) as stated above.
  void initialise_head(nn::MaskedDense<T>& head) const;

  /// Density direction: z (n×D) and the MADE's raw output r (n×D·P) for input z; writes z_next
  /// (n×D, resized) and ADDS each row's log-determinant to log_q. Keeps θ for backward().
  void forward(const Mat& z, const Mat& raw, Mat& z_next, Vec& log_q);

  /// For the last forward(z, ·): given g = ∂L/∂z_next (n×D) and w (n, ∂L/∂logdet of each row),
  /// writes grad_z = ∂L/∂z through the spline input only (n×D) and returns ∂L/∂r (n×D·P),
  /// a buffer owned by the step and valid until its next call.
  const Mat& backward(const Mat& z, const Mat& g, const Vec& w, Mat& grad_z);

  /// Sampling direction: z = RQS⁻¹(u; θ(raw)) (n×D, resized). No gradient.
  void inverse(const Mat& u, const Mat& raw, Mat& z);

 private:
  void set_params(const Mat& raw);  // θ from r

  RqSpline<T> spline_;
  T raw_scale_;  // 1/√hidden
  Mat params_, logdet_, grad_logdet_, grad_params_;
};

extern template class SplineStep<float>;
extern template class SplineStep<double>;

}  // namespace orrery::nde
