// C2ST: the classifier two-sample test, computed as sbibm computes it
// (Lueckmann et al. 2021; shared/validation/sbibm/README.md, "C2ST, as used by
// sbibm"):
//   1. z-score both samples with the per-column mean and unbiased (N−1) sd of
//      the REFERENCE sample only (a constant reference column gets sd 1);
//   2. label the reference rows 0 and the other rows 1 and pool them;
//   3. classifier: sklearn's MLPClassifier as sbibm configures it — ReLU, two
//      hidden layers of 10·dim units, Adam (lr 1e-3), L2 alpha 1e-4,
//      mini-batches of min(200, n), tol 1e-4, 10 no-improvement epochs, no
//      validation split, max_iter 10000 (see mlp_classifier.hpp for exactly
//      what is reproduced);
//   4. K-fold cross-validation (K = 5) with shuffled folds, as sklearn's
//      KFold(shuffle=True): the pooled rows are permuted, the first n mod K
//      folds get ⌊n/K⌋ + 1 rows and the others ⌊n/K⌋, each fold in turn is
//      held out; C2ST is the mean held-out accuracy.
// 0.5: the samples cannot be told apart; 1: they separate perfectly.
//
// Shapes: one sample per ROW; both matrices need the same number of columns
// (dim ≥ 1) and at least `folds` rows each, and only finite values.
// Throws orrery::Error, naming what is wrong, for invalid input or options.
//
// Determinism and parallelism: the fold permutation comes from
// rng.split("folds") and fold f trains with rng.split(f) alone (its weights
// from .split("init"), its shuffles from .split("shuffle")), each fold writing
// its own result slot, so the result is bit-identical for a given seed however
// the folds are scheduled. Pass `parallel_for` to run folds concurrently, e.g.
//   options.parallel_for = [&](std::size_t n, const std::function<void(std::size_t)>& body) {
//     ctx.executor().parallel_for(n, body); };
// An exception thrown by a fold is rethrown after all folds have returned.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <functional>
#include <vector>

#include "orrery/random.hpp"

namespace orrery::calibration {

/// Calls body(i) for every i in [0, n) and returns when all are done, in any
/// order or concurrently (the signature of orrery::Executor::parallel_for).
using ParallelFor = std::function<void(std::size_t n, const std::function<void(std::size_t)>& body)>;

struct C2stOptions {
  int folds = 5;                  ///< K of the cross-validation, >= 2
  bool z_score = true;            ///< step 1; false feeds the raw values to the classifier
  Eigen::Index hidden_per_dim = 10;  ///< hidden units per layer = hidden_per_dim · dim
  int max_iter = 10000;           ///< maximum epochs per fold (sbibm's setting)
  double learning_rate = 1e-3;
  double alpha = 1e-4;            ///< L2 penalty
  Eigen::Index batch_size = 200;  ///< mini-batch: min(batch_size, training rows)
  double tol = 1e-4;
  int n_iter_no_change = 10;
  ParallelFor parallel_for;       ///< empty: folds run one after another on this thread
};

struct C2stResult {
  double accuracy = 0.0;               ///< mean held-out accuracy over the folds: the C2ST value
  std::vector<double> fold_accuracy;   ///< held-out accuracy of each fold
  std::vector<int> fold_epochs;        ///< epochs each fold's classifier trained
  std::vector<bool> fold_converged;    ///< false where a fold stopped at max_iter
};

/// C2ST of `other` against `reference` (rows are samples). See above.
[[nodiscard]] C2stResult c2st(const Eigen::Ref<const Eigen::MatrixXd>& reference,
                              const Eigen::Ref<const Eigen::MatrixXd>& other, const RandomStream& rng,
                              const C2stOptions& options = {});

}  // namespace orrery::calibration
