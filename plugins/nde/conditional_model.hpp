// ConditionalModel: a network-based conditional density on standardised
// variables, the part that differs between nde's estimators. The component
// base (NeuralEstimator) owns z-scoring, training, files and locking.
//
// Shapes are batch-first (one pair per row): a is n×D, b is n×B.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "nn/layer.hpp"
#include "nn/matrix.hpp"
#include "orrery/random.hpp"

namespace orrery::nde {

using Mat = nn::Matrix<double>;

class ConditionalModel {
 public:
  virtual ~ConditionalModel() = default;

  /// log q(a_i | b_i) into log_q (size n); caches what backward() needs.
  virtual void forward(const Mat& a, const Mat& b, Eigen::VectorXd& log_q) = 0;
  /// For the last forward: ADDS d(Σ_i w_i log q_i)/dθ into the networks'
  /// gradient buffers and writes d(Σ_i w_i log q_i)/da (n×D) and /db (n×B).
  virtual void backward(const Eigen::VectorXd& w, Mat& grad_a, Mat& grad_b) = 0;
  /// n = out.rows() independent draws of a | b for one conditioning row b (1×B).
  virtual void sample(const Mat& b, RandomStream& rng, Mat& out) = 0;
  /// The networks holding every trainable parameter, in a fixed order.
  virtual std::vector<nn::Layer<double>*> networks() = 0;
  /// Architecture and sizes (not values): files store it and loading checks it.
  [[nodiscard]] virtual std::string describe() const = 0;

  [[nodiscard]] nn::FlatViews<double> parameters() {
    nn::FlatViews<double> all;
    for (auto* net : networks())
      for (auto& p : net->parameters()) all.push_back(p);
    return all;
  }
  [[nodiscard]] nn::FlatViews<double> gradients() {
    nn::FlatViews<double> all;
    for (auto* net : networks())
      for (auto& g : net->gradients()) all.push_back(g);
    return all;
  }
  void zero_grad() {
    for (auto* net : networks()) net->zero_grad();
  }
};

}  // namespace orrery::nde
