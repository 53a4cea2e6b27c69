#include "nn/upsample.hpp"

#include <algorithm>

#include "nn/shape_check.hpp"

namespace orrery::nn {

template <typename T>
Upsample2d<T>::Upsample2d(Index channels, Index height, Index width, Index factor)
    : in_{channels, height, width}, out_{channels, height * factor, width * factor}, factor_(factor) {
  detail::check_image_shape("upsample2d", in_);
  if (factor <= 0) throw Error("nn: upsample2d needs a positive factor, got " + std::to_string(factor));
}

template <typename T>
const Matrix<T>& Upsample2d<T>::forward(const Matrix<T>& input) {
  detail::check_columns(describe(), "input", in_.size(), input.rows(), input.cols());
  const Index n = input.rows(), f = factor_;
  output_.resize(n, out_.size());
  for (Index i = 0; i < n; ++i) {
    const T* x = input.data() + i * in_.size();
    T* y = output_.data() + i * out_.size();
    for (Index c = 0; c < in_.channels; ++c)
      for (Index iy = 0; iy < in_.height; ++iy) {
        const T* src = x + (c * in_.height + iy) * in_.width;
        T* first = y + (c * out_.height + iy * f) * out_.width;
        for (Index ix = 0; ix < in_.width; ++ix)
          for (Index r = 0; r < f; ++r) first[ix * f + r] = src[ix];
        // The other f − 1 output rows of this input row are copies of the first.
        for (Index r = 1; r < f; ++r) std::copy(first, first + out_.width, first + r * out_.width);
      }
  }
  return output_;
}

template <typename T>
const Matrix<T>& Upsample2d<T>::backward(const Matrix<T>& grad_output) {
  detail::check_same_shape(describe(), "grad_output", grad_output.rows(), grad_output.cols(), output_.rows(),
                           output_.cols());
  const Index n = grad_output.rows(), f = factor_;
  grad_input_.setZero(n, in_.size());
  for (Index i = 0; i < n; ++i) {
    const T* gy = grad_output.data() + i * out_.size();
    T* gx = grad_input_.data() + i * in_.size();
    for (Index c = 0; c < in_.channels; ++c)
      for (Index oy = 0; oy < out_.height; ++oy) {
        const T* src = gy + (c * out_.height + oy) * out_.width;
        T* dst = gx + (c * in_.height + oy / f) * in_.width;
        for (Index ox = 0; ox < out_.width; ++ox) dst[ox / f] += src[ox];
      }
  }
  return grad_input_;
}

template <typename T>
std::string Upsample2d<T>::describe() const {
  return "upsample2d(" + in_.str() + ",x" + std::to_string(factor_) + ")";
}

template class Upsample2d<float>;
template class Upsample2d<double>;

}  // namespace orrery::nn
