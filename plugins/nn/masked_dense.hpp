// MaskedDense: the MADE layer (Germain et al. 2015), y = x·(W ⊙ M) + b, where
// the fixed 0/1 mask M (in×out) removes connections so that a stack of such
// layers is autoregressive.
//
// Degrees: every unit carries an integer degree. Variable i of the
// autoregressive vector (in the order the network follows) has degree i + 1
// (1..D); conditioning inputs have degree 0, so they reach every hidden unit.
// A hidden connection k → j exists when degree(j) ≥ degree(k); an output
// connection when degree(j) > degree(k) (strict), so output i sees only
// variables of smaller degree. made_mask() builds M from the degrees.
//
// The mask is applied to the weights in forward and to the weight gradient in
// backward, so masked weights never move under an optimiser (their gradient
// is exactly zero) and never contribute to the output.
#pragma once

#include <string>
#include <vector>

#include "nn/dense.hpp"
#include "nn/layer.hpp"
#include "orrery/random.hpp"

namespace orrery::nn {

/// M(k, j) = 1 if out_degrees[j] ≥ in_degrees[k] (or > when `strict`), else 0.
template <typename T = float>
Matrix<T> made_mask(const std::vector<int>& in_degrees, const std::vector<int>& out_degrees, bool strict);

/// Degrees of `count` hidden units for an autoregressive vector of dimension
/// `dim`: cycling through 1..dim−1 (every unit useful to some output), or all
/// 0 when dim == 1 (then hidden units see only the conditioning inputs).
std::vector<int> made_hidden_degrees(int dim, int count);

template <typename T = float>
class MaskedDense final : public Layer<T> {
 public:
  /// `mask` is in×out of zeros and ones. Weights drawn from `rng` by `init` (then masked);
  /// biases zero. Throws orrery::Error for an empty mask or one with other values.
  MaskedDense(Matrix<T> mask, RandomStream& rng, Init init = Init::glorot_uniform);

  const Matrix<T>& forward(const Matrix<T>& input) override;
  const Matrix<T>& backward(const Matrix<T>& grad_output) override;
  FlatViews<T> parameters() override;
  FlatViews<T> gradients() override;
  /// "masked_dense(in->out)"; the mask itself is fixed by the degrees, which the
  /// owner's description records.
  [[nodiscard]] std::string describe() const override;
  void zero_grad() override {
    weight_grad_.setZero();
    bias_grad_.setZero();
  }

  [[nodiscard]] Index inputs() const { return weight_.rows(); }
  [[nodiscard]] Index outputs() const { return weight_.cols(); }
  [[nodiscard]] const Matrix<T>& mask() const { return mask_; }
  Matrix<T>& weight() { return weight_; }
  RowVector<T>& bias() { return bias_; }

 private:
  Matrix<T> mask_, weight_, weight_grad_, masked_weight_;
  RowVector<T> bias_, bias_grad_;
  Matrix<T> input_, output_, grad_input_;
};

extern template class MaskedDense<float>;
extern template class MaskedDense<double>;
extern template Matrix<float> made_mask<float>(const std::vector<int>&, const std::vector<int>&, bool);
extern template Matrix<double> made_mask<double>(const std::vector<int>&, const std::vector<int>&, bool);

}  // namespace orrery::nn
