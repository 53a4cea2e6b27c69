#include "training.hpp"

#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/trainer.hpp"
#include "orrery/error.hpp"
#include "row_chunks.hpp"

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
          integer("max_epochs").default_value(1000).min(1).doc("upper bound on training epochs"),
          string("precision").default_value("float32").choices({"float32", "float64"})
              .doc("scalar type of the networks: float32 trains about twice as fast; float64 for "
                   "double-precision log-densities and gradients")};
}

TrainingOptions TrainingOptions::read(const Options& options) {
  TrainingOptions t;
  t.learning_rate = options.real("learning_rate");
  t.batch_size = options.integer("batch_size");
  t.validation_fraction = options.real("validation_fraction");
  t.patience = options.integer("patience");
  t.clip_norm = options.real("clip_norm");
  t.max_epochs = options.integer("max_epochs");
  t.precision = options.string("precision") == "float64" ? Precision::float64 : Precision::float32;
  return t;
}

namespace {

template <typename T>
using ModelPtr = std::unique_ptr<ConditionalModel<T>>;

// What one chunk of a mini-batch needs: its model (the master for chunk 0, a
// replica otherwise) and its buffers.
template <typename T>
struct ChunkSlot {
  ConditionalModel<T>* model = nullptr;
  ModelPtr<T> replica;
  MatrixT<T> a, b, grad_a, grad_b;
  VectorT<T> log_q, w;
  double sum_log_q = 0.0;
};

// Presents a ConditionalModel and its (standardised) pairs to nn::Trainer,
// running each mini-batch as fixed chunks on the executor.
template <typename T>
class LikelihoodObjective final : public nn::Objective<T> {
 public:
  LikelihoodObjective(ConditionalModel<T>& model, const ModelFactory& factory, const MatrixT<T>& a,
                      const MatrixT<T>& b, Executor* executor)
      : model_(model), factory_(factory), a_(a), b_(b), executor_(executor) {}

  [[nodiscard]] nn::Index rows() const override { return a_.rows(); }

  double loss_and_backward(std::span<const nn::Index> batch) override {
    const RowChunks chunks(static_cast<Eigen::Index>(batch.size()), kTrainChunkRows);
    prepare_slots(chunks.count);
    const T weight = T(-1) / static_cast<T>(batch.size());  // loss = −mean log q
    run(chunks.count, [&](std::size_t k) {
      ChunkSlot<T>& s = slots_[k];
      forward_chunk(s, batch.subspan(static_cast<std::size_t>(chunks.begin(static_cast<Eigen::Index>(k))),
                                     static_cast<std::size_t>(chunks.size(static_cast<Eigen::Index>(k)))));
      if (k > 0) s.model->zero_grad();  // the trainer zeroed the master's
      s.w.setConstant(s.log_q.size(), weight);
      s.model->backward(s.w, s.grad_a, s.grad_b);
    });
    // Replicas' parameter gradients into the master's, in chunk order.
    if (chunks.count > 1) {
      auto total = model_.gradients();
      for (Eigen::Index k = 1; k < chunks.count; ++k) {
        auto part = slots_[static_cast<std::size_t>(k)].model->gradients();
        for (std::size_t i = 0; i < total.size(); ++i) total[i] += part[i];
      }
    }
    return -sum_log_q(chunks.count) / static_cast<double>(batch.size());
  }

  double loss(std::span<const nn::Index> batch) override {
    const RowChunks chunks(static_cast<Eigen::Index>(batch.size()), kTrainChunkRows);
    prepare_slots(chunks.count);
    run(chunks.count, [&](std::size_t k) {
      forward_chunk(slots_[k], batch.subspan(static_cast<std::size_t>(chunks.begin(static_cast<Eigen::Index>(k))),
                                             static_cast<std::size_t>(chunks.size(static_cast<Eigen::Index>(k)))));
    });
    return -sum_log_q(chunks.count) / static_cast<double>(batch.size());
  }

  nn::FlatViews<T> parameters() override { return model_.parameters(); }
  nn::FlatViews<T> gradients() override { return model_.gradients(); }
  void zero_grad() override { model_.zero_grad(); }

 private:
  // Makes `count` slots with replicas whose parameters equal the master's now.
  void prepare_slots(Eigen::Index count) {
    while (static_cast<Eigen::Index>(slots_.size()) < count) {
      ChunkSlot<T>& s = slots_.emplace_back();
      if (slots_.size() == 1) {
        s.model = &model_;
      } else {
        RandomStream unused(0);  // the replica's weights are overwritten below
        s.replica = factory_.make<T>(a_.cols(), b_.cols(), unused);
        s.model = s.replica.get();
      }
    }
    for (Eigen::Index k = 1; k < count; ++k) slots_[static_cast<std::size_t>(k)].model->copy_parameters_from(model_);
  }

  void forward_chunk(ChunkSlot<T>& s, std::span<const nn::Index> rows) {
    nn::gather_rows(a_, rows, s.a);
    nn::gather_rows(b_, rows, s.b);
    s.model->forward(s.a, s.b, s.log_q);
    s.sum_log_q = s.log_q.template cast<double>().sum();
  }

  template <typename Body>
  void run(Eigen::Index count, const Body& body) {
    if (executor_ == nullptr || count == 1) {
      for (Eigen::Index k = 0; k < count; ++k) body(static_cast<std::size_t>(k));
      return;
    }
    executor_->parallel_for(static_cast<std::size_t>(count), body);
  }

  [[nodiscard]] double sum_log_q(Eigen::Index count) const {
    double total = 0.0;
    for (Eigen::Index k = 0; k < count; ++k) total += slots_[static_cast<std::size_t>(k)].sum_log_q;
    return total;
  }

  ConditionalModel<T>& model_;
  const ModelFactory& factory_;
  const MatrixT<T>& a_;
  const MatrixT<T>& b_;
  Executor* executor_;
  std::vector<ChunkSlot<T>> slots_;
};

// FNV-1a over the bytes of the training data and the model's description:
// a checkpoint is only resumed for the same problem.
template <typename T>
std::uint64_t fingerprint(const MatrixT<T>& a, const MatrixT<T>& b, const std::string& describe) {
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&](const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  };
  for (const Eigen::Index dim : {a.rows(), a.cols(), b.rows(), b.cols()}) mix(&dim, sizeof dim);
  mix(a.data(), static_cast<std::size_t>(a.size()) * sizeof(T));
  mix(b.data(), static_cast<std::size_t>(b.size()) * sizeof(T));
  mix(describe.data(), describe.size());
  const std::size_t scalar = sizeof(T);
  mix(&scalar, sizeof scalar);
  return h;
}

std::string short_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", x);
  return buf;
}

}  // namespace

template <typename T>
TrainingReport train(ConditionalModel<T>& model, const ModelFactory& factory, const MatrixT<T>& a,
                     const MatrixT<T>& b, const TrainingOptions& options, RandomStream& rng,
                     const TrainingServices& services) {
  if (a.rows() < 2 || b.rows() != a.rows())
    throw Error(services.label + ": training needs at least 2 pairs with matching a and b counts, found " +
                std::to_string(a.rows()) + " and " + std::to_string(b.rows()));
  nn::TrainingOptions t;
  t.batch_size = options.batch_size;
  t.validation_fraction = options.validation_fraction;
  t.max_epochs = static_cast<int>(options.max_epochs);
  t.patience = static_cast<int>(options.patience);
  t.learning_rate = options.learning_rate;
  t.clip_norm = options.clip_norm;
  LikelihoodObjective<T> objective(model, factory, a, b, services.executor);
  nn::Trainer<T> trainer(objective, nn::split_rows(a.rows(), options.validation_fraction, rng.split(1)), t,
                         rng.split(2));

  // Checkpoint format: a header naming the estimator, then the fingerprint of
  // the problem, then the trainer's state.
  const std::string format = services.label + ".fit/1";
  const std::uint64_t print = fingerprint(a, b, model.describe());
  TrainingReport report;
  if (services.checkpoints != nullptr) {
    if (const auto saved = services.checkpoints->saved_state()) {
      const std::string header = StateWriter(format).bytes();
      if (saved->compare(0, header.size(), header) == 0) {
        StateReader in(*saved, format);
        std::uint64_t saved_print = 0;
        in(saved_print);
        std::string state;
        in(state);
        in.finish();
        if (saved_print == print) {
          trainer.restore_state(state);
          report.resumed = true;
          if (services.logger != nullptr)
            services.logger->info(services.label + ": resuming training from the checkpoint after epoch " +
                                  std::to_string(trainer.history().epochs()));
          if (services.progress != nullptr)
            services.progress->advance(static_cast<std::uint64_t>(trainer.history().epochs()));
        } else if (services.logger != nullptr) {
          services.logger->warn(services.label +
                                ": the checkpoint was written for other training data or another model; "
                                "training from scratch");
        }
      }
    }
  }
  auto save = [&] {
    StateWriter out(format);
    out(print);
    out(trainer.save_state());
    services.checkpoints->save(out.bytes());
  };

  const nn::ProgressCallback on_epoch = [&](const nn::EpochReport& e) {
    if (services.progress == nullptr) return;
    services.progress->advance(1);
    services.progress->status("train " + short_number(e.train_loss) + "  validation " +
                              short_number(e.validation_loss) + "  best " + short_number(e.best_validation_loss) +
                              " @" + std::to_string(e.best_epoch));
  };
  while (!trainer.stopped()) {
    const bool done = trainer.train_epoch(on_epoch);
    if (services.checkpoints != nullptr && (done || services.checkpoints->due())) save();
  }
  const nn::TrainingHistory& h = trainer.history();
  if (h.stop_reason == nn::StopReason::non_finite_loss && h.best_epoch == 0)
    throw Error(services.label + ": training stopped on a non-finite loss after " + std::to_string(h.epochs()) +
                " epochs");
  report.epochs = h.epochs();
  report.best_epoch = h.best_epoch;
  report.best_validation_loss = h.best_validation_loss;
  report.final_training_loss = h.train_loss.empty() ? 0.0 : h.train_loss.back();
  return report;
}

template TrainingReport train<float>(ConditionalModel<float>&, const ModelFactory&, const MatrixT<float>&,
                                     const MatrixT<float>&, const TrainingOptions&, RandomStream&,
                                     const TrainingServices&);
template TrainingReport train<double>(ConditionalModel<double>&, const ModelFactory&, const MatrixT<double>&,
                                      const MatrixT<double>&, const TrainingOptions&, RandomStream&,
                                      const TrainingServices&);

}  // namespace orrery::nde
