// Trainer: a reusable, model-agnostic training driver (issue 5): Adam or AdamW
// with gradient-norm clipping and an optional learning-rate schedule,
// shuffled mini-batches, a validation split, early stopping with best-weight
// restore, a per-epoch progress callback, and a checkpoint of its whole state
// from which a resumed training ends with bit-identical weights.
//
// The trainer knows nothing of the model: it sees an Objective<T>, which owns
// the (already standardised) data and the network(s) and turns a list of row
// indices into a mean loss (and, for training, its gradients). A mixture
// density network, a flow or a plain regression MLP all fit behind it.
//
// Typical use (z-scoring with the training rows only, see standardiser.hpp):
//   DataSplit split = split_rows(n, options.validation_fraction, rng.split("split"));
//   auto sx = Standardiser<float>::fit(x, split.train);   // never sees validation rows
//   MyObjective objective(net, sx.apply(x), ...);
//   Trainer<float> trainer(objective, split, options, rng.split("shuffle"));
//   TrainingHistory h = trainer.fit(progress);             // best weights restored on return
//
// Checkpoint / resume: run epochs one at a time with train_epoch() and save
// save_state() when the kernel's CheckpointStore is due; after a crash build
// the same objective (same architecture, same data, same split, same options
// and schedule) and a fresh Trainer, call restore_state(bytes) and continue.
// The final weights are bit-identical to an uninterrupted run's.
//
// Determinism: for a given objective, split, options and RandomStream the
// result is bit-identical from run to run. Everything runs on the calling
// thread (the objective may use threads internally, provided its own results
// do not depend on their number).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nn/adam.hpp"
#include "nn/matrix.hpp"
#include "nn/schedule.hpp"
#include "orrery/random.hpp"

namespace orrery::nn {

/// What the trainer optimises. Implementations own the data (one example per
/// row index in [0, rows())) and the trainable parameters.
template <typename T = float>
class Objective {
 public:
  virtual ~Objective() = default;

  /// Number of examples; row indices passed below are in [0, rows()).
  [[nodiscard]] virtual Index rows() const = 0;

  /// Mean loss over `batch` (non-empty, rows may repeat across calls but not
  /// within one). ADDS d(mean loss)/d(parameters) into the gradient buffers;
  /// the trainer calls zero_grad() before each call. A non-finite return value
  /// stops training (StopReason::non_finite_loss).
  virtual double loss_and_backward(std::span<const Index> batch) = 0;

  /// Mean loss over `batch` without touching the gradients (evaluation only).
  /// Must be a deterministic function of the parameters and the rows.
  virtual double loss(std::span<const Index> batch) = 0;

  /// Views of all trainable tensors and of their gradient buffers, same order
  /// and sizes, storage fixed for the objective's lifetime (the optimiser keeps
  /// them). Best-weight restore and checkpoints copy exactly these tensors: any
  /// other state the loss depends on must be constant during training.
  virtual FlatViews<T> parameters() = 0;
  virtual FlatViews<T> gradients() = 0;

  /// Sets the gradients to zero; override when a cheaper way exists.
  virtual void zero_grad() {
    for (auto& g : gradients()) g.setZero();
  }
};

/// Disjoint training and validation row indices.
struct DataSplit {
  std::vector<Index> train;
  std::vector<Index> validation;
};

/// A random split of rows [0, n): round(n · validation_fraction) rows (at least
/// one if the fraction is > 0 and n ≥ 2) go to validation, the rest to training;
/// both lists are sorted. Deterministic for a given `rng` (taken by value: the
/// caller's stream does not advance). Throws orrery::Error unless
/// 0 ≤ validation_fraction < 1 and the training part is non-empty.
DataSplit split_rows(Index n, double validation_fraction, RandomStream rng);

/// Copies rows `batch` of `source` into `destination` (resized to batch.size()
/// × source.cols(); no allocation when the size is unchanged). A helper for
/// Objective implementations.
template <typename T>
void gather_rows(const Matrix<T>& source, std::span<const Index> batch, Matrix<T>& destination) {
  destination.resize(static_cast<Index>(batch.size()), source.cols());
  for (std::size_t k = 0; k < batch.size(); ++k) destination.row(static_cast<Index>(k)) = source.row(batch[k]);
}

struct TrainingOptions {
  Index batch_size = 200;             ///< rows per optimiser step; the last batch of an epoch may be smaller
  double validation_fraction = 0.1;   ///< used by split_rows (the trainer itself takes a DataSplit)
  int max_epochs = 1000;              ///< hard limit on epochs
  int patience = 20;                  ///< stop after this many epochs without improvement; 0 disables
  double min_improvement = 0.0;       ///< an epoch improves if val < best − min_improvement
  double learning_rate = 5e-4;        ///< used when `schedule` is empty
  double weight_decay = 0.0;          ///< L2 penalty (Adam) or decoupled decay (AdamW)
  bool decoupled_weight_decay = false;///< true: AdamW
  double clip_norm = 5.0;             ///< global gradient-norm clip; 0 disables
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  /// Optional learning rate per optimiser step (0-based, counted over the whole
  /// training). Not saved in checkpoints: pass the same one when resuming.
  LearningRateSchedule schedule;
};

enum class StopReason {
  not_stopped,      ///< training can continue
  patience,         ///< `patience` epochs without improvement
  max_epochs,       ///< reached max_epochs
  non_finite_loss,  ///< a training or validation loss was NaN or infinite
};
[[nodiscard]] const char* stop_reason_name(StopReason reason);

/// One entry per completed epoch (index e holds epoch e + 1).
struct TrainingHistory {
  std::vector<double> train_loss;       ///< mean of the epoch's mini-batch losses, weighted by batch size
  std::vector<double> validation_loss;  ///< mean loss over the validation rows after the epoch
  std::vector<double> learning_rate;    ///< rate used by the epoch's last step
  int best_epoch = 0;                   ///< 1-based; 0 before the first epoch
  double best_validation_loss = std::numeric_limits<double>::infinity();  ///< at best_epoch
  StopReason stop_reason = StopReason::not_stopped;
  [[nodiscard]] int epochs() const { return static_cast<int>(train_loss.size()); }
};

/// Passed to the progress callback after every epoch.
struct EpochReport {
  int epoch = 0;  ///< 1-based
  int max_epochs = 0;
  double train_loss = 0.0;
  double validation_loss = 0.0;
  double best_validation_loss = 0.0;
  int best_epoch = 0;
  int epochs_since_improvement = 0;
  double learning_rate = 0.0;
};
using ProgressCallback = std::function<void(const EpochReport&)>;

template <typename T = float>
class Trainer {
 public:
  /// `objective` must outlive the trainer. `split` indexes its rows (checked:
  /// in range, both parts non-empty). `rng` drives the per-epoch shuffle of
  /// the training rows (the trainer's only randomness).
  /// Throws orrery::Error for invalid options or split.
  Trainer(Objective<T>& objective, DataSplit split, TrainingOptions options, RandomStream rng);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  /// Runs epochs until a stop; the objective then holds the best epoch's weights.
  const TrainingHistory& fit(const ProgressCallback& progress = {});
  /// Runs one epoch (shuffle, mini-batch steps, validation, early-stopping
  /// bookkeeping) and calls `progress`. Returns true when training has stopped,
  /// in which case the best weights have been restored. Does nothing and
  /// returns true if already stopped.
  bool train_epoch(const ProgressCallback& progress = {});
  [[nodiscard]] bool stopped() const { return history_.stop_reason != StopReason::not_stopped; }

  /// Mean objective loss over the validation rows for the current parameters
  /// (evaluated in chunks of batch_size rows, weighted by chunk size).
  [[nodiscard]] double validation_loss();
  [[nodiscard]] const TrainingHistory& history() const { return history_; }
  [[nodiscard]] const DataSplit& split() const { return split_; }
  [[nodiscard]] const TrainingOptions& options() const { return options_; }
  /// Optimiser steps taken so far.
  [[nodiscard]] std::int64_t steps() const;

  /// The trainer's whole state: current and best parameters, optimiser
  /// moments and step count, shuffle stream, history and patience counter,
  /// plus the split and the options' numbers (to check on restore).
  [[nodiscard]] std::string save_state() const;
  /// Restores save_state() into this trainer (and its objective's parameters).
  /// Throws orrery::Error, naming the first difference, if the bytes are corrupt
  /// or were written for other parameter shapes, another split or other options;
  /// on a throw the trainer and objective are left unchanged.
  void restore_state(std::string_view bytes);

 private:
  double run_batches();
  void restore_best();

  Objective<T>& objective_;
  DataSplit split_;
  TrainingOptions options_;
  RandomStream rng_;
  std::unique_ptr<Adam<T>> optimiser_;
  std::vector<Index> order_;  // training rows in this epoch's shuffled order
  std::vector<Eigen::Matrix<T, Eigen::Dynamic, 1>> best_;
  TrainingHistory history_;
  int since_improvement_ = 0;
};

extern template class Trainer<float>;
extern template class Trainer<double>;

}  // namespace orrery::nn
