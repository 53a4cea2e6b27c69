// Maximum-likelihood training of a ConditionalModel on the shared nn::Trainer
// (Adam with global gradient-norm clipping, shuffled mini-batches, a held-out
// validation split, early stopping and restore of the best weights). The loss
// is the mean −log q in standardised units. Defaults are sbi's (lr 5e-4,
// batch 200, 10 % validation, patience 20, clip 5).
#pragma once

#include <cstdint>

#include "conditional_model.hpp"
#include "orrery/options.hpp"
#include "orrery/schema.hpp"
#include "orrery/services.hpp"

namespace orrery::nde {

struct TrainingOptions {
  double learning_rate = 5e-4;
  std::int64_t batch_size = 200;
  double validation_fraction = 0.1;
  std::int64_t patience = 20;   ///< epochs without validation improvement before stopping
  double clip_norm = 5.0;       ///< 0 disables clipping
  std::int64_t max_epochs = 1000;

  /// The schema entries of these options (appended to each estimator's own).
  static Schema schema();
  static TrainingOptions read(const Options& options);
};

struct TrainingReport {
  std::int64_t epochs = 0;
  std::int64_t best_epoch = 0;
  double best_validation_loss = 0.0;  ///< mean −log q (standardised units) on the validation set
  double final_training_loss = 0.0;   ///< mean over the last epoch's batches
};

/// Trains `model` on the rows of a (n×D) and b (n×B), standardised. Shuffling
/// and the split use `rng`. `progress` (may be null) advances one unit per epoch.
TrainingReport train(ConditionalModel& model, const Mat& a, const Mat& b, const TrainingOptions& options,
                     RandomStream& rng, Progress* progress);

}  // namespace orrery::nde
