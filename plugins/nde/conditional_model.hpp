// ConditionalModel<T>: a network-based conditional density on standardised
// variables, the part that differs between nde's estimators. The component
// base (NeuralEstimator) owns z-scoring, training, files, threads and replicas.
//
// T is the network's scalar: float (the default, fastest) or double (for
// gradient checks and for users who want double-precision log-densities).
// Shapes are batch-first (one pair per row): a is n×D, b is n×B.
//
// A model is NOT thread-safe (its layers cache the last batch); concurrent
// evaluation uses one replica per thread (model_replicas.hpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "nn/layer.hpp"
#include "nn/matrix.hpp"
#include "orrery/random.hpp"

namespace orrery::nde {

template <typename T>
using MatrixT = nn::Matrix<T>;
template <typename T>
using VectorT = Eigen::Matrix<T, Eigen::Dynamic, 1>;

template <typename T>
class ConditionalModel {
 public:
  using Mat = MatrixT<T>;
  using Vec = VectorT<T>;

  virtual ~ConditionalModel() = default;

  /// log q(a_i | b_i) into log_q (size n); caches what backward() needs.
  virtual void forward(const Mat& a, const Mat& b, Vec& log_q) = 0;
  /// For the last forward: ADDS d(Σ_i w_i log q_i)/dθ into the networks'
  /// gradient buffers and writes d(Σ_i w_i log q_i)/da (n×D) and /db (n×B).
  virtual void backward(const Vec& w, Mat& grad_a, Mat& grad_b) = 0;
  /// n = out.rows() independent draws of a | b for one conditioning row b (1×B).
  virtual void sample(const Mat& b, RandomStream& rng, Mat& out) = 0;
  /// The networks holding every trainable parameter, in a fixed order.
  virtual std::vector<nn::Layer<T>*> networks() = 0;
  /// Architecture and sizes (not values): files store it and loading checks it.
  [[nodiscard]] virtual std::string describe() const = 0;

  [[nodiscard]] nn::FlatViews<T> parameters() {
    nn::FlatViews<T> all;
    for (auto* net : networks())
      for (auto& p : net->parameters()) all.push_back(p);
    return all;
  }
  [[nodiscard]] nn::FlatViews<T> gradients() {
    nn::FlatViews<T> all;
    for (auto* net : networks())
      for (auto& g : net->gradients()) all.push_back(g);
    return all;
  }
  void zero_grad() {
    for (auto* net : networks()) net->zero_grad();
  }
  /// Copies every parameter value of `other` (same architecture) into this model.
  void copy_parameters_from(ConditionalModel& other) {
    auto mine = parameters();
    auto theirs = other.parameters();
    for (std::size_t i = 0; i < mine.size(); ++i) mine[i] = theirs[i];
  }
};

/// Builds freshly initialised models of one configured architecture in either
/// precision (the estimator components implement it).
class ModelFactory {
 public:
  virtual ~ModelFactory() = default;
  [[nodiscard]] virtual std::unique_ptr<ConditionalModel<float>> make_float(Eigen::Index dim_a, Eigen::Index dim_b,
                                                                            RandomStream& rng) const = 0;
  [[nodiscard]] virtual std::unique_ptr<ConditionalModel<double>> make_double(Eigen::Index dim_a, Eigen::Index dim_b,
                                                                              RandomStream& rng) const = 0;
  template <typename T>
  [[nodiscard]] std::unique_ptr<ConditionalModel<T>> make(Eigen::Index dim_a, Eigen::Index dim_b,
                                                          RandomStream& rng) const {
    if constexpr (std::is_same_v<T, float>)
      return make_float(dim_a, dim_b, rng);
    else
      return make_double(dim_a, dim_b, rng);
  }
};

}  // namespace orrery::nde
