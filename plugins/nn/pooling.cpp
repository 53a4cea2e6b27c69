#include "nn/pooling.hpp"

#include <cmath>

#include "nn/shape_check.hpp"

namespace orrery::nn {

namespace {

// The pooled shape of `in`; throws naming `layer` if the kernel does not fit.
ImageShape pooled_shape(const char* layer, const ImageShape& in, Index kernel) {
  detail::check_image_shape(layer, in);
  if (kernel <= 0 || kernel > in.height || kernel > in.width)
    throw Error(std::string("nn: ") + layer + " needs a kernel in [1, min(height, width)], got kernel " +
                std::to_string(kernel) + " for input " + in.str());
  return {in.channels, in.height / kernel, in.width / kernel};
}

}  // namespace

template <typename T>
MaxPool2d<T>::MaxPool2d(Index channels, Index height, Index width, Index kernel)
    : in_{channels, height, width}, out_(pooled_shape("max_pool2d", in_, kernel)), kernel_(kernel) {}

template <typename T>
const Matrix<T>& MaxPool2d<T>::forward(const Matrix<T>& input) {
  detail::check_columns(describe(), "input", in_.size(), input.rows(), input.cols());
  const Index n = input.rows(), k = kernel_;
  output_.resize(n, out_.size());
  argmax_.resize(n, out_.size());
  for (Index i = 0; i < n; ++i) {
    const T* x = input.data() + i * in_.size();
    Index o = 0;  // output index within the row, in (c, y, x) order
    for (Index c = 0; c < out_.channels; ++c)
      for (Index oy = 0; oy < out_.height; ++oy)
        for (Index ox = 0; ox < out_.width; ++ox, ++o) {
          Index best = (c * in_.height + oy * k) * in_.width + ox * k;
          for (Index ky = 0; ky < k; ++ky)
            for (Index kx = 0; kx < k; ++kx) {
              const Index j = (c * in_.height + oy * k + ky) * in_.width + ox * k + kx;
              // Strict > keeps the first maximum; a NaN is taken (and then kept) so it propagates.
              if (x[j] > x[best] || (std::isnan(x[j]) && !std::isnan(x[best]))) best = j;
            }
          argmax_(i, o) = best;
          output_(i, o) = x[best];
        }
  }
  return output_;
}

template <typename T>
const Matrix<T>& MaxPool2d<T>::backward(const Matrix<T>& grad_output) {
  detail::check_same_shape(describe(), "grad_output", grad_output.rows(), grad_output.cols(), output_.rows(),
                           output_.cols());
  grad_input_.setZero(grad_output.rows(), in_.size());
  for (Index i = 0; i < grad_output.rows(); ++i)
    for (Index o = 0; o < out_.size(); ++o) grad_input_(i, argmax_(i, o)) += grad_output(i, o);
  return grad_input_;
}

template <typename T>
std::string MaxPool2d<T>::describe() const {
  return "max_pool2d(" + in_.str() + ",k" + std::to_string(kernel_) + ")";
}

template <typename T>
AvgPool2d<T>::AvgPool2d(Index channels, Index height, Index width, Index kernel)
    : in_{channels, height, width}, out_(pooled_shape("avg_pool2d", in_, kernel)), kernel_(kernel) {}

template <typename T>
const Matrix<T>& AvgPool2d<T>::forward(const Matrix<T>& input) {
  detail::check_columns(describe(), "input", in_.size(), input.rows(), input.cols());
  const Index n = input.rows(), k = kernel_;
  const T scale = T(1) / static_cast<T>(k * k);
  output_.resize(n, out_.size());
  for (Index i = 0; i < n; ++i) {
    const T* x = input.data() + i * in_.size();
    Index o = 0;
    for (Index c = 0; c < out_.channels; ++c)
      for (Index oy = 0; oy < out_.height; ++oy)
        for (Index ox = 0; ox < out_.width; ++ox, ++o) {
          T sum = 0;
          for (Index ky = 0; ky < k; ++ky) {
            const T* row = x + (c * in_.height + oy * k + ky) * in_.width + ox * k;
            for (Index kx = 0; kx < k; ++kx) sum += row[kx];
          }
          output_(i, o) = sum * scale;
        }
  }
  return output_;
}

template <typename T>
const Matrix<T>& AvgPool2d<T>::backward(const Matrix<T>& grad_output) {
  detail::check_same_shape(describe(), "grad_output", grad_output.rows(), grad_output.cols(), output_.rows(),
                           output_.cols());
  const Index n = grad_output.rows(), k = kernel_;
  const T scale = T(1) / static_cast<T>(k * k);
  grad_input_.setZero(n, in_.size());  // pixels outside every window keep a zero gradient
  for (Index i = 0; i < n; ++i) {
    T* gx = grad_input_.data() + i * in_.size();
    Index o = 0;
    for (Index c = 0; c < out_.channels; ++c)
      for (Index oy = 0; oy < out_.height; ++oy)
        for (Index ox = 0; ox < out_.width; ++ox, ++o) {
          const T g = grad_output(i, o) * scale;
          for (Index ky = 0; ky < k; ++ky) {
            T* row = gx + (c * in_.height + oy * k + ky) * in_.width + ox * k;
            for (Index kx = 0; kx < k; ++kx) row[kx] = g;
          }
        }
  }
  return grad_input_;
}

template <typename T>
std::string AvgPool2d<T>::describe() const {
  return "avg_pool2d(" + in_.str() + ",k" + std::to_string(kernel_) + ")";
}

template class MaxPool2d<float>;
template class MaxPool2d<double>;
template class AvgPool2d<float>;
template class AvgPool2d<double>;

}  // namespace orrery::nn
