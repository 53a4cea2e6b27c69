#include "nn/residual.hpp"

#include <utility>

#include "nn/shape_check.hpp"

namespace orrery::nn {

template <typename T>
Residual<T>::Residual(std::unique_ptr<Layer<T>> inner) : inner_(std::move(inner)) {
  if (!inner_) throw Error("nn: residual: the inner layer is null");
}

template <typename T>
const Matrix<T>& Residual<T>::forward(const Matrix<T>& input) {
  const Matrix<T>& fx = inner_->forward(input);
  if (fx.rows() != input.rows() || fx.cols() != input.cols())
    throw Error("nn: " + describe() + ": the inner layer maps " + std::to_string(input.rows()) + "x" +
                std::to_string(input.cols()) + " to " + std::to_string(fx.rows()) + "x" +
                std::to_string(fx.cols()) + "; a residual block must preserve the shape");
  output_.resize(input.rows(), input.cols());
  output_ = input + fx;
  return output_;
}

template <typename T>
const Matrix<T>& Residual<T>::backward(const Matrix<T>& grad_output) {
  detail::check_same_shape(describe(), "grad_output", grad_output.rows(), grad_output.cols(), output_.rows(),
                           output_.cols());
  const Matrix<T>& g_inner = inner_->backward(grad_output);
  grad_input_.resize(grad_output.rows(), grad_output.cols());
  grad_input_ = grad_output + g_inner;  // the identity path plus the path through f
  return grad_input_;
}

template <typename T>
SkipConcat<T>::SkipConcat(std::unique_ptr<Layer<T>> branch) : branch_(std::move(branch)) {
  if (!branch_) throw Error("nn: skip_concat: the branch layer is null");
}

template <typename T>
const Matrix<T>& SkipConcat<T>::forward(const Matrix<T>& input) {
  const Matrix<T>& fx = branch_->forward(input);
  if (fx.rows() != input.rows())
    throw Error("nn: " + describe() + ": the branch returned " + std::to_string(fx.rows()) + " rows for a batch of " +
                std::to_string(input.rows()));
  input_columns_ = input.cols();
  output_.resize(input.rows(), input.cols() + fx.cols());
  output_.leftCols(input.cols()) = input;
  output_.rightCols(fx.cols()) = fx;
  return output_;
}

template <typename T>
const Matrix<T>& SkipConcat<T>::backward(const Matrix<T>& grad_output) {
  detail::check_same_shape(describe(), "grad_output", grad_output.rows(), grad_output.cols(), output_.rows(),
                           output_.cols());
  const Index n = grad_output.rows(), branch_columns = output_.cols() - input_columns_;
  // The branch takes a whole Matrix, so its slice of the gradient is copied into a buffer.
  grad_branch_.resize(n, branch_columns);
  grad_branch_ = grad_output.rightCols(branch_columns);
  const Matrix<T>& g_branch = branch_->backward(grad_branch_);
  grad_input_.resize(n, input_columns_);
  grad_input_ = grad_output.leftCols(input_columns_) + g_branch;
  return grad_input_;
}

template class Residual<float>;
template class Residual<double>;
template class SkipConcat<float>;
template class SkipConcat<double>;

}  // namespace orrery::nn
