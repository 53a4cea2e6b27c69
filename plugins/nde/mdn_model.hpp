// MdnModel: a mixture density network q(a | b) = Σ_k π_k(b) N(a; m_k(b), Λ_k(b)⁻¹).
//
// An MLP on b outputs, per pair, K logits, K means (D each) and K upper
// triangular precision factors U_k (Λ_k = U_kᵀ U_k) stored as D raw diagonal
// entries (U_jj = exp(raw), so positive) then the D(D−1)/2 entries above the
// diagonal row by row. With z = U (a − m):
//   log N(a; m, Λ⁻¹) = −(D/2) log 2π + Σ_j log U_jj − ½ zᵀz,
//   log q = logsumexp_k (log softmax(logits)_k + log N_k).
// Gradients with responsibilities r_k = softmax_k(log π_k + log N_k), δ = a − m:
//   ∂/∂logit_k = r_k − π_k,  ∂/∂m_k = r_k Uᵀz = −∂/∂a (per component),
//   ∂/∂raw_jj = r_k (1 − z_j δ_j U_jj),  ∂/∂U_jl = −r_k z_j δ_l  (j < l);
// the output gradient is then backpropagated through the MLP to b.
// Sampling: k ~ π, a = m_k + U_k⁻¹ ε with ε ~ N(0, I) (covariance U⁻¹U⁻ᵀ = Λ⁻¹).
#pragma once

#include <string>
#include <vector>

#include "conditional_model.hpp"
#include "nn/activations.hpp"
#include "nn/sequential.hpp"

namespace orrery::nde {

struct MdnArchitecture {
  Eigen::Index dim_a = 0, dim_b = 0;
  Eigen::Index components = 10;
  Eigen::Index hidden = 50;
  Eigen::Index layers = 2;  ///< hidden layers
  nn::ActivationKind activation = nn::ActivationKind::relu;
};

template <typename T>
class MdnModel final : public ConditionalModel<T> {
 public:
  using Mat = MatrixT<T>;
  using Vec = VectorT<T>;
  MdnModel(const MdnArchitecture& arch, RandomStream& rng);

  void forward(const Mat& a, const Mat& b, Vec& log_q) override;
  void backward(const Vec& w, Mat& grad_a, Mat& grad_b) override;
  void sample(const Mat& b, RandomStream& rng, Mat& out) override;
  std::vector<nn::Layer<T>*> networks() override { return {&net_}; }
  [[nodiscard]] std::string describe() const override;

 private:
  using Square = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  // U of component k for output row `row` into u_ (upper triangle, zeros below).
  void fill_factor(const T* row, Eigen::Index k);
  [[nodiscard]] Eigen::Index mean_offset(Eigen::Index k) const { return arch_.components + k * arch_.dim_a; }
  [[nodiscard]] Eigen::Index factor_offset(Eigen::Index k) const;

  MdnArchitecture arch_;
  nn::Sequential<T> net_;
  Mat a_, out_, resp_, log_pi_, grad_out_;
  Square u_;
  Vec delta_, z_, lk_, utz_;
};

extern template class MdnModel<float>;
extern template class MdnModel<double>;

}  // namespace orrery::nde
