#include "nn/sequential.hpp"

#include "orrery/error.hpp"

namespace orrery::nn {

template <typename T>
Layer<T>& Sequential<T>::add(std::unique_ptr<Layer<T>> layer) {
  if (!layer) throw Error("nn: sequential: cannot add a null layer");
  layers_.push_back(std::move(layer));
  return *layers_.back();
}

template <typename T>
const Matrix<T>& Sequential<T>::forward(const Matrix<T>& input) {
  if (layers_.empty()) throw Error("nn: sequential: forward on an empty network");
  const Matrix<T>* x = &input;
  for (auto& layer : layers_) x = &layer->forward(*x);
  return *x;
}

template <typename T>
const Matrix<T>& Sequential<T>::backward(const Matrix<T>& grad_output) {
  if (layers_.empty()) throw Error("nn: sequential: backward on an empty network");
  const Matrix<T>* g = &grad_output;
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) g = &(*it)->backward(*g);
  return *g;
}

template <typename T>
FlatViews<T> Sequential<T>::parameters() {
  FlatViews<T> all;
  for (auto& layer : layers_)
    for (auto& p : layer->parameters()) all.push_back(p);
  return all;
}

template <typename T>
FlatViews<T> Sequential<T>::gradients() {
  FlatViews<T> all;
  for (auto& layer : layers_)
    for (auto& g : layer->gradients()) all.push_back(g);
  return all;
}

template <typename T>
std::string Sequential<T>::describe() const {
  std::string s = "sequential[";
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (i) s += ',';
    s += layers_[i]->describe();
  }
  return s + "]";
}

template class Sequential<float>;
template class Sequential<double>;

}  // namespace orrery::nn
