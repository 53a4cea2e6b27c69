// RqSpline: the monotonic rational-quadratic spline of Neural Spline Flows
// (Durkan, Bekasov, Murray & Papamakarios 2019, arXiv:1906.04068), applied
// element-wise to a batch, with identity (linear) tails outside [−B, B].
//
// The transform of one variable.  K bins cover [−B, B] in both x and y. From
// the 3K−1 raw (unconstrained) numbers of that variable:
//   w̃ = m_w + (1 − m_w K)·softmax(raw widths),   x_0 = −B, x_{k+1} = x_k + 2B·w̃_k, x_K = B;
//   h̃ = m_h + (1 − m_h K)·softmax(raw heights),  y_0 = −B, y_{k+1} = y_k + 2B·h̃_k, y_K = B;
//   δ_0 = δ_K = 1 (the boundary slopes, so the spline joins the identity tails smoothly),
//   δ_k = m_δ + softplus(raw derivative k−1)     for the interior knots k = 1..K−1.
// In bin k (x_k ≤ x ≤ x_{k+1}), with w = x_{k+1} − x_k, h = y_{k+1} − y_k, s = h/w,
// ξ = (x − x_k)/w and τ = ξ(1 − ξ) (paper eq. 4 and 5):
//   y      = y_k + h·(s ξ² + δ_k τ) / (s + (δ_k + δ_{k+1} − 2s) τ),
//   dy/dx  = s²·(δ_{k+1} ξ² + 2 s τ + δ_k (1 − ξ)²) / (s + (δ_k + δ_{k+1} − 2s) τ)².
// Outside [−B, B] (strictly): y = x and log|dy/dx| = 0; ±B themselves belong to
// the spline (where it equals the identity to first order). The inverse solves
// the quadratic in ξ of the paper's appendix A.3 with the root 2c/(−b − √(b² − 4ac)),
// which does not cancel. These are the conventions of nflows'
// unconstrained_rational_quadratic_spline with tails="linear" (whose boundary
// slope m_δ + softplus(log(e^{1−m_δ} − 1)) is 1) and its default
// (enable_identity_init=False) softplus for the interior slopes.
//
// Parameter layout. Batch-first, row-major (nn::Matrix): x is n×D; params is
// n×(D·P) with P = 3K−1, and variable j of row i reads params(i, j·P + c) for
//   c ∈ [0, K)        raw bin widths,
//   c ∈ [K, 2K)       raw bin heights,
//   c ∈ [2K, 3K−1)    raw slopes at the interior knots x_1..x_{K−1}.
// This is nflows' autoregressive layout (network output reshaped to D×P).
//
// Identity initialisation. Equal raw widths and equal raw heights give uniform
// bins (s = 1); raw slope identity_raw_derivative() = log(e^{1−m_δ} − 1) gives
// δ_k = 1. Together (identity_parameters) the spline is y = x, log|dy/dx| = 0.
// Raw slope 0 gives δ = m_δ + log 2 ≈ 0.694 instead, so a network whose outputs
// start near zero should have the slope entries of its output bias set to
// identity_raw_derivative() to start at the identity.
//
// Outside [−B, B] includes non-finite inputs: NaN and ±∞ pass through unchanged
// with log-slope 0, so a NaN stays visible in the caller's log-density.
//
// Cost and memory: O(K) per element (2K exponentials for the two softmaxes,
// vectorised by Eigen; a linear bin search during the cumulative sums; two
// softplus; one log), no allocation: per-element scratch lives on the stack,
// which is why K is at most max_bins. Methods are const and keep no state, so
// concurrent calls on one RqSpline are safe. Shape mismatches throw orrery::Error.
#pragma once

#include <Eigen/Core>

#include "nn/matrix.hpp"

namespace orrery::nde {

struct RqSplineConfig {
  Eigen::Index bins = 8;          ///< K, the number of bins on [−B, B]
  double tail_bound = 3.0;        ///< B (standardised units); identity outside [−B, B]
  double min_bin_width = 1e-3;    ///< m_w, as a fraction of 2B; needs m_w·K < 1
  double min_bin_height = 1e-3;   ///< m_h, as a fraction of 2B; needs m_h·K < 1
  double min_derivative = 1e-3;   ///< m_δ, the least interior slope
};

template <typename T>
class RqSpline {
 public:
  using Matrix = nn::Matrix<T>;
  using ConstRef = Eigen::Ref<const Matrix>;
  using Ref = Eigen::Ref<Matrix>;  ///< a caller-owned output of the exact shape stated, or a block of one
  static constexpr Eigen::Index max_bins = 256;

  /// Throws orrery::Error unless 1 ≤ K ≤ max_bins, B > 0, 0 ≤ m_w·K < 1, 0 ≤ m_h·K < 1 and m_δ ≥ 0.
  explicit RqSpline(const RqSplineConfig& config = {});

  [[nodiscard]] const RqSplineConfig& config() const { return config_; }
  [[nodiscard]] Eigen::Index bins() const { return config_.bins; }
  /// P = 3K − 1 raw numbers per variable.
  [[nodiscard]] Eigen::Index params_per_variable() const { return 3 * config_.bins - 1; }

  /// The raw slope giving δ = 1: log(e^{1−m_δ} − 1).
  [[nodiscard]] T identity_raw_derivative() const;
  /// One row (1×D·P) of raw parameters for which every variable's spline is the identity:
  /// zero raw widths and heights, identity_raw_derivative() slopes.
  [[nodiscard]] nn::RowVector<T> identity_parameters(Eigen::Index dim) const;

  /// The density direction. x: n×D, params: n×(D·P); writes y (n×D) and log|dy/dx| (n×D).
  /// y may be x itself (each element is read before it is written).
  void forward(const ConstRef& x, const ConstRef& params, Ref y, Ref logdet) const;

  /// Reverse-mode gradient of the forward direction at (x, params), recomputing what it needs.
  /// Given grad_y = ∂L/∂y and grad_logdet = ∂L/∂log|dy/dx| (each n×D), WRITES (not adds)
  /// grad_x = ∂L/∂x (n×D) and grad_params = ∂L/∂params (n×(D·P)). The bin index is piecewise
  /// constant and contributes nothing; in the tails grad_x = grad_y and grad_params = 0.
  void backward(const ConstRef& x, const ConstRef& params, const ConstRef& grad_y, const ConstRef& grad_logdet,
                Ref grad_x, Ref grad_params) const;

  /// The sampling direction: x = f⁻¹(y) (n×D) and log|dx/dy| = −log|dy/dx| at x (n×D). No gradient.
  /// x may be y itself.
  void inverse(const ConstRef& y, const ConstRef& params, Ref x, Ref logdet) const;

 private:
  void check(const char* method, const ConstRef& in, const ConstRef& params) const;

  RqSplineConfig config_;
};

extern template class RqSpline<float>;
extern template class RqSpline<double>;

}  // namespace orrery::nde
