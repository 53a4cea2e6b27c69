#include "nn/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <type_traits>

#include "orrery/checkpoint.hpp"
#include "orrery/error.hpp"

namespace orrery::nn {

namespace {

constexpr std::string_view kTrainerFormat = "nn.trainer/2";

template <typename T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

[[noreturn]] void fail(const std::string& what) { throw Error("nn: trainer: " + what); }

void check_options(const TrainingOptions& o) {
  if (o.batch_size < 1) fail("batch_size must be >= 1, got " + std::to_string(o.batch_size));
  if (o.max_epochs < 1) fail("max_epochs must be >= 1, got " + std::to_string(o.max_epochs));
  if (o.patience < 0) fail("patience must be >= 0 (0 disables early stopping), got " + std::to_string(o.patience));
  if (!(o.min_improvement >= 0.0)) fail("min_improvement must be >= 0, got " + std::to_string(o.min_improvement));
}

void check_split(const DataSplit& split, Index rows) {
  if (split.train.empty()) fail("the training split is empty");
  if (split.validation.empty()) fail("the validation split is empty (early stopping needs validation rows)");
  std::vector<char> seen(static_cast<std::size_t>(rows), 0);
  auto check = [&](const std::vector<Index>& part, const char* name) {
    for (Index r : part) {
      if (r < 0 || r >= rows)
        fail(std::string(name) + " row " + std::to_string(r) + " is outside [0, " + std::to_string(rows) + ")");
      if (seen[static_cast<std::size_t>(r)]++)
        fail(std::string(name) + " row " + std::to_string(r) + " appears twice in the split");
    }
  };
  check(split.train, "training");
  check(split.validation, "validation");
}

// The options' numbers, in a fixed order, for the checkpoint's consistency check.
std::vector<double> option_numbers(const TrainingOptions& o) {
  return {static_cast<double>(o.batch_size), static_cast<double>(o.max_epochs), static_cast<double>(o.patience),
          o.min_improvement, o.learning_rate, o.weight_decay, o.decoupled_weight_decay ? 1.0 : 0.0,
          o.clip_norm, o.beta1, o.beta2, o.epsilon, o.schedule ? 1.0 : 0.0};
}

template <typename T>
std::vector<Vector<T>> copy_of(const FlatViews<T>& views) {
  std::vector<Vector<T>> out;
  out.reserve(views.size());
  for (const auto& v : views) out.emplace_back(v);
  return out;
}

template <typename T>
void check_shapes(const std::vector<Vector<T>>& got, const FlatViews<T>& want, const char* what) {
  if (got.size() != want.size())
    fail(std::string("checkpoint holds ") + std::to_string(got.size()) + " " + what + " tensors, the objective has " +
         std::to_string(want.size()));
  for (std::size_t i = 0; i < got.size(); ++i)
    if (got[i].size() != want[i].size())
      fail(std::string("checkpoint ") + what + " tensor " + std::to_string(i) + " has " +
           std::to_string(got[i].size()) + " values, the objective's has " + std::to_string(want[i].size()));
}

}  // namespace

const char* stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::not_stopped: return "not stopped";
    case StopReason::patience: return "patience";
    case StopReason::max_epochs: return "max_epochs";
    case StopReason::non_finite_loss: return "non-finite loss";
  }
  return "unknown";
}

DataSplit split_rows(Index n, double validation_fraction, RandomStream rng) {
  if (!(validation_fraction >= 0.0 && validation_fraction < 1.0))
    fail("validation_fraction must be in [0, 1), got " + std::to_string(validation_fraction));
  if (n < 1) fail("cannot split " + std::to_string(n) + " rows");
  auto n_val = static_cast<Index>(std::llround(static_cast<double>(n) * validation_fraction));
  if (validation_fraction > 0.0 && n >= 2) n_val = std::max<Index>(n_val, 1);
  if (n_val >= n) fail("a validation fraction of " + std::to_string(validation_fraction) + " of " +
                       std::to_string(n) + " rows leaves no training rows");
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  // Partial Fisher–Yates: the first n_val positions become a uniform random subset.
  for (Index i = 0; i < n_val; ++i) {
    const auto j = i + static_cast<Index>(rng.below(static_cast<std::uint64_t>(n - i)));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  DataSplit split;
  split.validation.assign(order.begin(), order.begin() + n_val);
  split.train.assign(order.begin() + n_val, order.end());
  std::sort(split.validation.begin(), split.validation.end());
  std::sort(split.train.begin(), split.train.end());
  return split;
}

template <typename T>
Trainer<T>::Trainer(Objective<T>& objective, DataSplit split, TrainingOptions options, RandomStream rng)
    : objective_(objective), split_(std::move(split)), options_(std::move(options)), rng_(rng) {
  check_options(options_);
  check_split(split_, objective_.rows());
  AdamOptions adam;
  adam.learning_rate = options_.learning_rate;
  adam.beta1 = options_.beta1;
  adam.beta2 = options_.beta2;
  adam.epsilon = options_.epsilon;
  adam.weight_decay = options_.weight_decay;
  adam.clip_norm = options_.clip_norm;
  if (options_.decoupled_weight_decay)
    optimiser_ = std::make_unique<AdamW<T>>(objective_.parameters(), objective_.gradients(), adam);
  else
    optimiser_ = std::make_unique<Adam<T>>(objective_.parameters(), objective_.gradients(), adam);
  if (options_.schedule) optimiser_->set_schedule(options_.schedule);
  order_.reserve(split_.train.size());
}

template <typename T>
Trainer<T>::~Trainer() = default;

template <typename T>
std::int64_t Trainer<T>::steps() const {
  return optimiser_->steps();
}

template <typename T>
double Trainer<T>::run_batches() {
  // Each epoch shuffles the sorted training rows afresh, so the only state
  // carried between epochs is the stream itself (simple to checkpoint).
  order_.assign(split_.train.begin(), split_.train.end());
  for (std::size_t i = order_.size() - 1; i > 0; --i)
    std::swap(order_[i], order_[static_cast<std::size_t>(rng_.below(i + 1))]);
  const auto batch = static_cast<std::size_t>(options_.batch_size);
  double sum = 0.0;
  for (std::size_t start = 0; start < order_.size(); start += batch) {
    const std::size_t count = std::min(batch, order_.size() - start);
    objective_.zero_grad();
    const double loss = objective_.loss_and_backward(std::span<const Index>(order_.data() + start, count));
    if (!std::isfinite(loss)) return loss;  // before the step: the weights stay finite
    optimiser_->step();
    sum += loss * static_cast<double>(count);
  }
  return sum / static_cast<double>(order_.size());
}

template <typename T>
double Trainer<T>::validation_loss() {
  const auto batch = static_cast<std::size_t>(options_.batch_size);
  const auto& rows = split_.validation;
  double sum = 0.0;
  for (std::size_t start = 0; start < rows.size(); start += batch) {
    const std::size_t count = std::min(batch, rows.size() - start);
    sum += objective_.loss(std::span<const Index>(rows.data() + start, count)) * static_cast<double>(count);
  }
  return sum / static_cast<double>(rows.size());
}

template <typename T>
void Trainer<T>::restore_best() {
  if (history_.best_epoch == 0) return;  // no finite validation loss yet: keep what there is
  auto params = objective_.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) params[i] = best_[i];
}

template <typename T>
bool Trainer<T>::train_epoch(const ProgressCallback& progress) {
  if (stopped()) return true;
  const double rate = optimiser_->learning_rate();  // of the epoch's first step; updated below
  const std::int64_t steps_before = optimiser_->steps();
  const double train = run_batches();
  const double val = std::isfinite(train) ? validation_loss() : std::numeric_limits<double>::quiet_NaN();
  const int epoch = history_.epochs() + 1;
  // The rate of the epoch's last step: the schedule evaluated one step back.
  const double last_rate = (options_.schedule && optimiser_->steps() > steps_before)
                               ? options_.schedule(optimiser_->steps() - 1)
                               : rate;
  history_.train_loss.push_back(train);
  history_.validation_loss.push_back(val);
  history_.learning_rate.push_back(last_rate);

  if (std::isfinite(val) && val < history_.best_validation_loss - options_.min_improvement) {
    history_.best_validation_loss = val;
    history_.best_epoch = epoch;
    best_ = copy_of(objective_.parameters());
    since_improvement_ = 0;
  } else {
    ++since_improvement_;
  }
  if (!std::isfinite(train) || !std::isfinite(val))
    history_.stop_reason = StopReason::non_finite_loss;
  else if (options_.patience > 0 && since_improvement_ >= options_.patience)
    history_.stop_reason = StopReason::patience;
  else if (epoch >= options_.max_epochs)
    history_.stop_reason = StopReason::max_epochs;

  if (progress) {
    EpochReport r;
    r.epoch = epoch;
    r.max_epochs = options_.max_epochs;
    r.train_loss = train;
    r.validation_loss = val;
    r.best_validation_loss = history_.best_validation_loss;
    r.best_epoch = history_.best_epoch;
    r.epochs_since_improvement = since_improvement_;
    r.learning_rate = last_rate;
    progress(r);
  }
  if (stopped()) restore_best();
  return stopped();
}

template <typename T>
const TrainingHistory& Trainer<T>::fit(const ProgressCallback& progress) {
  while (!train_epoch(progress)) {
  }
  return history_;
}

template <typename T>
std::string Trainer<T>::save_state() const {
  StateWriter out(kTrainerFormat);
  out(option_numbers(options_));
  out(split_.train);
  out(split_.validation);
  out(rng_);
  out(history_.train_loss);
  out(history_.validation_loss);
  out(history_.learning_rate);
  out(static_cast<std::int32_t>(history_.best_epoch));
  out(history_.best_validation_loss);
  out(static_cast<std::int32_t>(history_.stop_reason));
  out(static_cast<std::int32_t>(since_improvement_));
  const auto current = copy_of(objective_.parameters());
  out(static_cast<std::uint64_t>(current.size()));
  for (const auto& p : current) out(p);
  out(static_cast<std::uint64_t>(best_.size()));
  for (const auto& p : best_) out(p);
  optimiser_->visit_state([&](const auto& x) { out(x); });
  return out.bytes();
}

template <typename T>
void Trainer<T>::restore_state(std::string_view bytes) {
  try {
    StateReader in(bytes, kTrainerFormat);
    std::vector<double> numbers;
    in(numbers);
    if (numbers != option_numbers(options_))
      fail("checkpoint was written with other training options (batch size, epochs, patience, rates, "
           "decay, clipping or schedule presence)");
    DataSplit split;
    in(split.train);
    in(split.validation);
    if (split.train != split_.train || split.validation != split_.validation)
      fail("checkpoint was written for another training/validation split");
    RandomStream rng;
    in(rng);
    TrainingHistory history;
    in(history.train_loss);
    in(history.validation_loss);
    in(history.learning_rate);
    std::int32_t best_epoch = 0, stop = 0, since = 0;
    in(best_epoch);
    in(history.best_validation_loss);
    in(stop);
    in(since);
    history.best_epoch = best_epoch;
    if (stop < 0 || stop > static_cast<std::int32_t>(StopReason::non_finite_loss)) fail("checkpoint is corrupt");
    history.stop_reason = static_cast<StopReason>(stop);
    auto read_tensors = [&] {
      std::uint64_t count = 0;
      in(count);
      if (count > bytes.size()) fail("checkpoint is corrupt");
      std::vector<Vector<T>> tensors(static_cast<std::size_t>(count));
      for (auto& t : tensors) in(t);
      return tensors;
    };
    const auto params = objective_.parameters();
    const auto current = read_tensors();
    check_shapes(current, params, "parameter");
    const auto best = read_tensors();
    if (!best.empty() || best_epoch != 0) check_shapes(best, params, "best-parameter");
    std::int64_t steps = 0;
    std::vector<Vector<T>> m(params.size()), v(params.size());
    in(steps);
    for (auto& x : m) in(x);
    for (auto& x : v) in(x);
    check_shapes(m, params, "first-moment");
    check_shapes(v, params, "second-moment");
    in.finish();

    // Everything read and checked: commit.
    auto views = objective_.parameters();
    for (std::size_t i = 0; i < views.size(); ++i) views[i] = current[i];
    std::size_t k = 0;
    optimiser_->visit_state([&](auto& x) {
      if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::int64_t>) {
        x = steps;
      } else {
        x = k < m.size() ? m[k] : v[k - m.size()];
        ++k;
      }
    });
    rng_ = rng;
    history_ = std::move(history);
    best_ = best;
    since_improvement_ = since;
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind("nn: trainer:", 0) == 0) throw;
    fail(what);
  }
}

template class Trainer<float>;
template class Trainer<double>;

}  // namespace orrery::nn
