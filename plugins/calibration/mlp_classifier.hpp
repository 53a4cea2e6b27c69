// MlpClassifier: a binary classifier trained the way scikit-learn's
// MLPClassifier(solver="adam") trains one, built from the nn library's layers
// (Dense, Activation, Sequential) and optimiser (Adam). It exists for C2ST
// (c2st.hpp), which must reproduce sbibm's sklearn classifier.
//
// What is reproduced from sklearn (neural_network/_multilayer_perceptron.py):
// - network: inputs → hidden layers with ReLU → one logistic output unit;
// - initialisation: every weight AND bias ~ U(−b, b), b = √(6 / (fan_in + fan_out)),
//   layer by layer (sklearn's `_init_coef` for a non-logistic activation);
// - loss of a mini-batch of size B: mean binary log-loss, with the probability
//   clipped to [ε_float, 1 − ε_float], plus 0.5·alpha·Σ‖W‖² / B (weights only,
//   not biases); gradients (p − y)/B backpropagated, plus alpha·W / B;
// - Adam with lr 1e-3, β 0.9 / 0.999, ε 1e-8, no clipping. nn::Adam puts ε
//   inside the bias correction (θ −= η m̂ / (√v̂ + ε)); sklearn uses
//   η √(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε), i.e. an ε smaller by √(1−β2ᵗ) ≤ 1:
//   immaterial at 1e-8;
// - epochs: the rows are shuffled afresh each epoch and cut into mini-batches
//   of min(batch_size, n) (the last one smaller); the epoch loss is the
//   batch-size-weighted mean of the batch losses (sklearn's loss_curve_);
// - stopping (early_stopping=False): after each epoch, if loss > best − tol the
//   no-improvement count rises, else it resets; best = min(best, loss); stop
//   when the count exceeds n_iter_no_change, or after max_iter epochs. The final
//   weights are kept (no best-weight restore, as in sklearn);
// - prediction: class 1 where the output probability is > 0.5.
// Not reproduced: sklearn's random number stream (we use RandomStream), so
// results agree with sklearn in distribution, not bit for bit.
//
// Scalar: float (sbibm hands sklearn float32 arrays, so sklearn trains in
// float32 too). Determinism: for given data, options and streams the result
// is bit-identical from run to run. Not thread-safe; one per thread.
#pragma once

#include <span>
#include <vector>

#include "nn/dense.hpp"
#include "nn/matrix.hpp"
#include "nn/sequential.hpp"
#include "orrery/random.hpp"

namespace orrery::calibration {

struct MlpClassifierOptions {
  std::vector<nn::Index> hidden = {100};  ///< units per hidden layer (sklearn's hidden_layer_sizes)
  double learning_rate = 1e-3;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  double alpha = 1e-4;            ///< L2 penalty strength
  nn::Index batch_size = 200;     ///< sklearn "auto": min(200, n)
  int max_iter = 200;             ///< maximum epochs
  double tol = 1e-4;
  int n_iter_no_change = 10;
};

struct MlpFitReport {
  int epochs = 0;                  ///< epochs run
  bool converged = false;          ///< stopped by the tol rule (false: max_iter reached)
  std::vector<double> loss_curve;  ///< training loss per epoch (log-loss + L2 term)
};

class MlpClassifier {
 public:
  /// Draws the initial weights from `init`. Throws orrery::Error for invalid
  /// options (no or non-positive hidden sizes, batch_size < 1, max_iter < 1,
  /// n_iter_no_change < 0, negative alpha or tol, learning rate ≤ 0).
  MlpClassifier(nn::Index inputs, MlpClassifierOptions options, RandomStream& init);

  /// Trains on the rows of `x` (n×inputs) with `labels` (n values, each 0 or 1);
  /// `shuffle` drives the per-epoch order. Throws orrery::Error on shape
  /// mismatches, other label values, or a non-finite training loss.
  MlpFitReport fit(const nn::Matrix<float>& x, std::span<const int> labels, RandomStream shuffle);

  /// P(class 1) for every row of `x`.
  [[nodiscard]] Eigen::VectorXf predict_proba(const nn::Matrix<float>& x);
  /// Fraction of rows whose predicted class (probability > 0.5) equals the label.
  [[nodiscard]] double accuracy(const nn::Matrix<float>& x, std::span<const int> labels);

 private:
  MlpClassifierOptions options_;
  nn::Index inputs_;
  nn::Sequential<float> net_;
  std::vector<nn::Dense<float>*> dense_;  // owned by net_
};

}  // namespace orrery::calibration
