// MafModel: a conditional masked autoregressive flow (Papamakarios et al. 2017).
//
// T transforms; transform t is a conditional MADE on [z_t | b] giving μ_t and
// α_t (each D), where output i depends only on variables before i in that
// transform's order, and
//   z_{t+1} = (z_t − μ_t) ⊙ exp(−α_t),      z_0 = a,
//   log q(a | b) = Σ_i log N(z_T,i; 0, 1) − Σ_t Σ_i α_t,i.
// The order is reversed between consecutive transforms (odd transforms give
// variable i the degree D − i instead of i + 1), so every variable is
// conditioned on every other somewhere in the stack.
// Backward, with g = ∂/∂z_{t+1} and u = z_{t+1}:
//   ∂/∂μ = −g ⊙ e^{−α},  ∂/∂α = −g ⊙ u − 1,  ∂/∂z_t = g ⊙ e^{−α} + (MADE input gradient).
// Sampling inverts each transform, z_t = u ⊙ exp(α) + μ, by D passes of the
// MADE: pass p fixes the p-th variable in order, and earlier ones stay fixed.
//
// transform = spline (a neural spline flow, Durkan et al. 2019): each MADE gives
// P = 3K − 1 raw spline numbers per variable instead of (μ, α) and
//   z_{t+1} = RQS(z_t; θ_t),  log q(a | b) = Σ_i log N(z_T,i; 0, 1) + Σ_t Σ_i log|∂z_{t+1,i}/∂z_{t,i}|;
// spline_step.hpp has the formulas, gradients and initialisation. The order
// reversal, the conditioning on b and the D-pass inversion are the same.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "conditional_model.hpp"
#include "nn/activations.hpp"
#include "nn/sequential.hpp"
#include "spline_step.hpp"

namespace orrery::nde {

enum class MafTransform { affine, spline };

struct MafArchitecture {
  Eigen::Index dim_a = 0, dim_b = 0;
  Eigen::Index transforms = 5;
  Eigen::Index hidden = 50;
  Eigen::Index layers = 2;  ///< hidden layers per MADE
  nn::ActivationKind activation = nn::ActivationKind::tanh;
  MafTransform transform = MafTransform::affine;
  Eigen::Index bins = 10;    ///< K, spline only
  double tail_bound = 5.0;   ///< B in standardised units, spline only (identity outside [−B, B])

  /// The spline of a spline transform: K = bins, B = tail_bound, nflows' minimum widths,
  /// heights and slopes (1e-3).
  [[nodiscard]] RqSplineConfig spline() const;
};

/// The degrees of the D variables in transform t's order (1..D, reversed for odd t).
std::vector<int> maf_variable_degrees(Eigen::Index dim, Eigen::Index transform);

/// Builds one conditional MADE: [z (D) | b (B)] → [μ (D) | α (D)] (affine), or
/// → D·(3K − 1) raw spline numbers, variable-major (spline; see SplineStep).
template <typename T>
void build_conditional_made(nn::Sequential<T>& net, const MafArchitecture& arch, Eigen::Index transform,
                            RandomStream& rng);

template <typename T>
class MafModel final : public ConditionalModel<T> {
 public:
  using Mat = MatrixT<T>;
  using Vec = VectorT<T>;
  MafModel(const MafArchitecture& arch, RandomStream& rng);

  void forward(const Mat& a, const Mat& b, Vec& log_q) override;
  void backward(const Vec& w, Mat& grad_a, Mat& grad_b) override;
  void sample(const Mat& b, RandomStream& rng, Mat& out) override;
  std::vector<nn::Layer<T>*> networks() override;
  [[nodiscard]] std::string describe() const override;

 private:
  [[nodiscard]] bool spline() const { return arch_.transform == MafTransform::spline; }

  MafArchitecture arch_;
  std::vector<std::unique_ptr<nn::Sequential<T>>> mades_;
  std::vector<SplineStep<T>> steps_;    // one per transform when spline(), else empty
  std::vector<Mat> z_, alpha_, scale_;  // z_0..z_T, α_t, exp(−α_t) (the last two affine only)
  Mat input_, grad_out_, g_, grad_z_;
};

extern template class MafModel<float>;
extern template class MafModel<double>;

}  // namespace orrery::nde
