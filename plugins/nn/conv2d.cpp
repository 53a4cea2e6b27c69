#include "nn/conv2d.hpp"

#include <algorithm>
#include <cmath>

#include "nn/shape_check.hpp"

namespace orrery::nn {

namespace {

// The output positions o in [0, n_out) whose input position o·stride + offset lies
// in [0, n_in), as a half-open range [first, last). Positions outside it read padding.
struct ValidRange {
  Index first, last;
};

ValidRange valid_outputs(Index offset, Index n_in, Index n_out, Index stride) {
  const Index first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const Index top = n_in - 1 - offset;  // largest o·stride that stays inside
  const Index last = top < 0 ? 0 : std::min(n_out, top / stride + 1);
  return {std::min(first, last), last};
}

}  // namespace

template <typename T>
Conv2d<T>::Conv2d(Index in_channels, Index out_channels, Index kernel, Index stride, Index padding, Index height,
                  Index width, RandomStream& rng, Init init)
    : in_{in_channels, height, width}, kernel_(kernel), stride_(stride), padding_(padding) {
  detail::check_image_shape("conv2d", in_);
  if (out_channels <= 0 || kernel <= 0 || stride <= 0 || padding < 0)
    throw Error("nn: conv2d needs positive out_channels, kernel and stride and padding >= 0, got out_channels " +
                std::to_string(out_channels) + ", kernel " + std::to_string(kernel) + ", stride " +
                std::to_string(stride) + ", padding " + std::to_string(padding));
  if (height + 2 * padding < kernel || width + 2 * padding < kernel)
    throw Error("nn: conv2d: kernel " + std::to_string(kernel) + " is larger than the padded input " +
                std::to_string(height + 2 * padding) + "x" + std::to_string(width + 2 * padding));
  out_ = {out_channels, (height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1};

  const Index fan_in = in_channels * kernel * kernel;
  const Index fan_out = out_channels * kernel * kernel;
  weight_.resize(out_channels, fan_in);
  if (init == Init::glorot_uniform) {
    const double a = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
    for (Index i = 0; i < weight_.size(); ++i) weight_.data()[i] = static_cast<T>(rng.uniform(-a, a));
  } else {
    const double sd = std::sqrt(2.0 / static_cast<double>(fan_in));
    for (Index i = 0; i < weight_.size(); ++i) weight_.data()[i] = static_cast<T>(sd * rng.normal());
  }
  weight_grad_.setZero(out_channels, fan_in);
  bias_.setZero(out_channels);
  bias_grad_.setZero(out_channels);
  columns_.resize(fan_in, out_.pixels());
  columns_grad_.resize(fan_in, out_.pixels());
}

template <typename T>
void Conv2d<T>::im2col(const T* image) {
  const Index k = kernel_, s = stride_;
  for (Index c = 0; c < in_.channels; ++c)
    for (Index ky = 0; ky < k; ++ky)
      for (Index kx = 0; kx < k; ++kx) {
        T* dst = columns_.row((c * k + ky) * k + kx).data();
        const ValidRange rows = valid_outputs(ky - padding_, in_.height, out_.height, s);
        const ValidRange cols = valid_outputs(kx - padding_, in_.width, out_.width, s);
        for (Index oy = 0; oy < out_.height; ++oy, dst += out_.width) {
          if (oy < rows.first || oy >= rows.last) {
            std::fill(dst, dst + out_.width, T(0));
            continue;
          }
          // Input row oy·s + ky − padding, read at column ox·s + kx − padding for output column ox.
          const T* src = image + (c * in_.height + oy * s + ky - padding_) * in_.width;
          const Index shift = kx - padding_;
          std::fill(dst, dst + cols.first, T(0));
          for (Index ox = cols.first; ox < cols.last; ++ox) dst[ox] = src[ox * s + shift];
          std::fill(dst + cols.last, dst + out_.width, T(0));
        }
      }
}

template <typename T>
void Conv2d<T>::col2im(T* image_grad) const {
  // The exact transpose of im2col: every column entry that was read from an input
  // pixel adds its gradient back there; entries that read padding are dropped.
  const Index k = kernel_, s = stride_;
  for (Index c = 0; c < in_.channels; ++c)
    for (Index ky = 0; ky < k; ++ky)
      for (Index kx = 0; kx < k; ++kx) {
        const T* src = columns_grad_.row((c * k + ky) * k + kx).data();
        const ValidRange rows = valid_outputs(ky - padding_, in_.height, out_.height, s);
        const ValidRange cols = valid_outputs(kx - padding_, in_.width, out_.width, s);
        for (Index oy = rows.first; oy < rows.last; ++oy) {
          T* dst = image_grad + (c * in_.height + oy * s + ky - padding_) * in_.width;
          const Index shift = kx - padding_;
          const T* row = src + oy * out_.width;
          for (Index ox = cols.first; ox < cols.last; ++ox) dst[ox * s + shift] += row[ox];
        }
      }
}

template <typename T>
const Matrix<T>& Conv2d<T>::forward(const Matrix<T>& input) {
  detail::check_columns(describe(), "input", in_.size(), input.rows(), input.cols());
  const Index n = input.rows();
  input_ = input;  // kept so backward can unfold it again
  output_.resize(n, out_.size());
  for (Index i = 0; i < n; ++i) {
    im2col(input_.data() + i * in_.size());
    // Output row i viewed as out_channels × pixels: exactly its (c, y, x) C-order layout.
    Eigen::Map<Matrix<T>> y(output_.data() + i * out_.size(), out_.channels, out_.pixels());
    y.noalias() = weight_ * columns_;
    y.colwise() += bias_.transpose();
  }
  return output_;
}

template <typename T>
const Matrix<T>& Conv2d<T>::backward(const Matrix<T>& grad_output) {
  detail::check_same_shape(describe(), "grad_output", grad_output.rows(), grad_output.cols(), output_.rows(),
                           output_.cols());
  const Index n = grad_output.rows();
  grad_input_.setZero(n, in_.size());
  for (Index i = 0; i < n; ++i) {
    im2col(input_.data() + i * in_.size());
    Eigen::Map<const Matrix<T>> dy(grad_output.data() + i * out_.size(), out_.channels, out_.pixels());
    weight_grad_.noalias() += dy * columns_.transpose();
    bias_grad_ += dy.rowwise().sum().transpose();
    columns_grad_.noalias() = weight_.transpose() * dy;
    col2im(grad_input_.data() + i * in_.size());
  }
  return grad_input_;
}

template <typename T>
FlatViews<T> Conv2d<T>::parameters() {
  return {flat(weight_), flat(bias_)};
}

template <typename T>
FlatViews<T> Conv2d<T>::gradients() {
  return {flat(weight_grad_), flat(bias_grad_)};
}

template <typename T>
std::string Conv2d<T>::describe() const {
  return "conv2d(" + in_.str() + "->" + std::to_string(out_.channels) + ",k" + std::to_string(kernel_) + ",s" +
         std::to_string(stride_) + ",p" + std::to_string(padding_) + ")";
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace orrery::nn
