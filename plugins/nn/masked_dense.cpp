#include "nn/masked_dense.hpp"

#include <cmath>

#include "nn/shape_check.hpp"

namespace orrery::nn {

template <typename T>
Matrix<T> made_mask(const std::vector<int>& in_degrees, const std::vector<int>& out_degrees, bool strict) {
  Matrix<T> mask(static_cast<Index>(in_degrees.size()), static_cast<Index>(out_degrees.size()));
  for (Index k = 0; k < mask.rows(); ++k)
    for (Index j = 0; j < mask.cols(); ++j) {
      const int din = in_degrees[static_cast<std::size_t>(k)], dout = out_degrees[static_cast<std::size_t>(j)];
      mask(k, j) = (strict ? dout > din : dout >= din) ? T(1) : T(0);
    }
  return mask;
}

std::vector<int> made_hidden_degrees(int dim, int count) {
  std::vector<int> degrees(static_cast<std::size_t>(count), 0);
  if (dim > 1)
    for (int j = 0; j < count; ++j) degrees[static_cast<std::size_t>(j)] = 1 + j % (dim - 1);
  return degrees;
}

template <typename T>
MaskedDense<T>::MaskedDense(Matrix<T> mask, RandomStream& rng, Init init) : mask_(std::move(mask)) {
  if (mask_.size() == 0) throw Error("nn: masked dense layer needs a non-empty mask");
  for (Index i = 0; i < mask_.size(); ++i)
    if (mask_.data()[i] != T(0) && mask_.data()[i] != T(1))
      throw Error("nn: masked dense layer: the mask must hold only 0 and 1");
  const Index in = mask_.rows(), out = mask_.cols();
  // Same draw as Dense so both layers initialise alike; the scale ignores the mask,
  // as in the MADE paper's experiments.
  Dense<T> plain(in, out, rng, init);
  weight_ = plain.weight().cwiseProduct(mask_);
  weight_grad_.setZero(in, out);
  masked_weight_ = weight_;
  bias_.setZero(out);
  bias_grad_.setZero(out);
}

template <typename T>
const Matrix<T>& MaskedDense<T>::forward(const Matrix<T>& input) {
  detail::check_columns(describe(), "input", inputs(), input.rows(), input.cols());
  input_ = input;
  // Re-mask every call: an optimiser (weight decay) or a loaded file may have
  // put values under the mask's zeros.
  masked_weight_ = weight_.cwiseProduct(mask_);
  output_.resize(input.rows(), outputs());
  output_.noalias() = input * masked_weight_;
  output_.rowwise() += bias_;
  return output_;
}

template <typename T>
const Matrix<T>& MaskedDense<T>::backward(const Matrix<T>& grad_output) {
  detail::check_same_shape(describe(), "grad_output", grad_output.rows(), grad_output.cols(), output_.rows(),
                           output_.cols());
  weight_grad_.noalias() += (input_.transpose() * grad_output).cwiseProduct(mask_);
  bias_grad_ += grad_output.colwise().sum();
  grad_input_.resize(grad_output.rows(), inputs());
  grad_input_.noalias() = grad_output * masked_weight_.transpose();
  return grad_input_;
}

template <typename T>
FlatViews<T> MaskedDense<T>::parameters() {
  return {flat(weight_), flat(bias_)};
}

template <typename T>
FlatViews<T> MaskedDense<T>::gradients() {
  return {flat(weight_grad_), flat(bias_grad_)};
}

template <typename T>
std::string MaskedDense<T>::describe() const {
  return "masked_dense(" + std::to_string(inputs()) + "->" + std::to_string(outputs()) + ")";
}

template class MaskedDense<float>;
template class MaskedDense<double>;
template Matrix<float> made_mask<float>(const std::vector<int>&, const std::vector<int>&, bool);
template Matrix<double> made_mask<double>(const std::vector<int>&, const std::vector<int>&, bool);

}  // namespace orrery::nn
