// Maximum-likelihood training of a ConditionalModel on the shared nn::Trainer
// (Adam with global gradient-norm clipping, shuffled mini-batches, a held-out
// validation split, early stopping and restore of the best weights). The loss
// is the mean −log q in standardised units. Defaults are sbi's (lr 5e-4,
// batch 200, 10 % validation, patience 20, clip 5).
//
// Threads: each mini-batch is cut into fixed chunks (row_chunks.hpp) that
// model replicas process on the executor; their gradients are summed in chunk
// order, so the trained weights do not depend on the number of threads.
//
// Checkpoints: with a CheckpointStore, the trainer's whole state is saved
// when the store says a save is due and when training ends; a later call
// with the same data, model and options (the store's saved state carries a
// fingerprint of them) continues from it and ends with bit-identical weights.
// A saved state with another fingerprint or format is ignored (fresh start).
#pragma once

#include <cstdint>
#include <string>

#include "conditional_model.hpp"
#include "orrery/checkpoint.hpp"
#include "orrery/options.hpp"
#include "orrery/schema.hpp"
#include "orrery/services.hpp"

namespace orrery::nde {

enum class Precision { float32, float64 };

struct TrainingOptions {
  double learning_rate = 5e-4;
  std::int64_t batch_size = 200;
  double validation_fraction = 0.1;
  std::int64_t patience = 20;   ///< epochs without validation improvement before stopping
  double clip_norm = 5.0;       ///< 0 disables clipping
  std::int64_t max_epochs = 1000;
  Precision precision = Precision::float32;  ///< the networks' scalar type

  /// The schema entries of these options (appended to each estimator's own).
  static Schema schema();
  static TrainingOptions read(const Options& options);
};

struct TrainingReport {
  std::int64_t epochs = 0;
  std::int64_t best_epoch = 0;
  double best_validation_loss = 0.0;  ///< mean −log q (standardised units) on the validation set
  double final_training_loss = 0.0;   ///< mean over the last epoch's batches
  bool resumed = false;               ///< continued from a checkpoint
};

/// Where training runs and reports: every pointer may be null.
struct TrainingServices {
  Executor* executor = nullptr;       ///< runs the chunks; null: the calling thread
  Progress* progress = nullptr;       ///< one unit per epoch, losses in the status
  CheckpointStore* checkpoints = nullptr;
  Logger* logger = nullptr;
  std::string label = "nde";          ///< names the estimator in messages and checkpoint formats
};

/// Trains `model` on the rows of a (n×D) and b (n×B), standardised. Shuffling
/// and the split use `rng` (split(1): the split, split(2): the shuffle).
/// `factory` builds the replicas the chunks run on (same architecture).
template <typename T>
TrainingReport train(ConditionalModel<T>& model, const ModelFactory& factory, const MatrixT<T>& a,
                     const MatrixT<T>& b, const TrainingOptions& options, RandomStream& rng,
                     const TrainingServices& services);

extern template TrainingReport train<float>(ConditionalModel<float>&, const ModelFactory&, const MatrixT<float>&,
                                            const MatrixT<float>&, const TrainingOptions&, RandomStream&,
                                            const TrainingServices&);
extern template TrainingReport train<double>(ConditionalModel<double>&, const ModelFactory&,
                                             const MatrixT<double>&, const MatrixT<double>&, const TrainingOptions&,
                                             RandomStream&, const TrainingServices&);

}  // namespace orrery::nde
