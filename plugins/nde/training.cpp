#include "training.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "nn/trainer.hpp"
#include "orrery/error.hpp"

namespace orrery::nde {

Schema TrainingOptions::schema() {
  using namespace orrery::option;
  return {real("learning_rate").default_value(5e-4).greater_than(0.0).doc("Adam learning rate"),
          integer("batch_size").default_value(200).min(1).doc("pairs per mini-batch"),
          real("validation_fraction").default_value(0.1).greater_than(0.0).less_than(1.0)
              .doc("fraction of the pairs held out for early stopping"),
          integer("patience").default_value(20).min(1)
              .doc("epochs without a better validation loss before training stops (best weights are restored)"),
          real("clip_norm").default_value(5.0).min(0.0).doc("maximum global gradient norm; 0 disables clipping"),
          integer("max_epochs").default_value(1000).min(1).doc("upper bound on training epochs")};
}

TrainingOptions TrainingOptions::read(const Options& options) {
  TrainingOptions t;
  t.learning_rate = options.real("learning_rate");
  t.batch_size = options.integer("batch_size");
  t.validation_fraction = options.real("validation_fraction");
  t.patience = options.integer("patience");
  t.clip_norm = options.real("clip_norm");
  t.max_epochs = options.integer("max_epochs");
  return t;
}

namespace {

// Presents a ConditionalModel and its (standardised) pairs to nn::Trainer.
class LikelihoodObjective final : public nn::Objective<double> {
 public:
  LikelihoodObjective(ConditionalModel& model, const Mat& a, const Mat& b) : model_(model), a_(a), b_(b) {}
  [[nodiscard]] nn::Index rows() const override { return a_.rows(); }
  double loss_and_backward(std::span<const nn::Index> batch) override {
    const double value = evaluate(batch);
    // Loss = −mean log q, so each pair's weight in Σ w_i log q_i is −1/m.
    w_.setConstant(log_q_.size(), -1.0 / static_cast<double>(log_q_.size()));
    model_.backward(w_, grad_a_, grad_b_);
    return value;
  }
  double loss(std::span<const nn::Index> batch) override { return evaluate(batch); }
  nn::FlatViews<double> parameters() override { return model_.parameters(); }
  nn::FlatViews<double> gradients() override { return model_.gradients(); }
  void zero_grad() override { model_.zero_grad(); }

 private:
  double evaluate(std::span<const nn::Index> batch) {
    nn::gather_rows(a_, batch, a_batch_);
    nn::gather_rows(b_, batch, b_batch_);
    model_.forward(a_batch_, b_batch_, log_q_);
    return -log_q_.mean();
  }

  ConditionalModel& model_;
  const Mat& a_;
  const Mat& b_;
  Mat a_batch_, b_batch_, grad_a_, grad_b_;
  Eigen::VectorXd log_q_, w_;
};

}  // namespace

TrainingReport train(ConditionalModel& model, const Mat& a, const Mat& b, const TrainingOptions& options,
                     RandomStream& rng, Progress* progress) {
  if (a.rows() < 2 || b.rows() != a.rows())
    throw Error("nde: training needs at least 2 pairs with matching a and b counts, found " + std::to_string(a.rows()) +
                " and " + std::to_string(b.rows()));
  nn::TrainingOptions t;
  t.batch_size = options.batch_size;
  t.validation_fraction = options.validation_fraction;
  t.max_epochs = static_cast<int>(options.max_epochs);
  t.patience = static_cast<int>(options.patience);
  t.learning_rate = options.learning_rate;
  t.clip_norm = options.clip_norm;
  LikelihoodObjective objective(model, a, b);
  nn::Trainer<double> trainer(objective, nn::split_rows(a.rows(), options.validation_fraction, rng.split(1)), t,
                              rng.split(2));
  const nn::TrainingHistory& h = trainer.fit([&](const nn::EpochReport& e) {
    if (progress == nullptr) return;
    progress->advance(1);
    progress->status("train " + std::to_string(e.train_loss) + "  validation " + std::to_string(e.validation_loss));
  });
  if (h.stop_reason == nn::StopReason::non_finite_loss && h.best_epoch == 0)
    throw Error("nde: training stopped on a non-finite loss after " + std::to_string(h.epochs()) + " epochs");
  TrainingReport report;
  report.epochs = h.epochs();
  report.best_epoch = h.best_epoch;
  report.best_validation_loss = h.best_validation_loss;
  report.final_training_loss = h.train_loss.empty() ? 0.0 : h.train_loss.back();
  return report;
}

}  // namespace orrery::nde
