#include "calibration/c2st.hpp"

#include <cmath>
#include <exception>
#include <numeric>
#include <string>

#include "calibration/mlp_classifier.hpp"
#include "nn/matrix.hpp"
#include "nn/standardiser.hpp"
#include "orrery/error.hpp"

namespace orrery::calibration {

namespace {

using Index = Eigen::Index;

[[noreturn]] void fail(const std::string& what) { throw Error("calibration: c2st: " + what); }

void check_input(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::Ref<const Eigen::MatrixXd>& y,
                 const C2stOptions& o) {
  if (o.folds < 2) fail("folds must be >= 2, got " + std::to_string(o.folds));
  if (o.hidden_per_dim < 1) fail("hidden_per_dim must be >= 1, got " + std::to_string(o.hidden_per_dim));
  if (x.cols() != y.cols())
    fail("the reference sample has " + std::to_string(x.cols()) + " columns but the other sample has " +
         std::to_string(y.cols()) + " (both need one column per parameter, one sample per row)");
  if (x.cols() < 1) fail("the samples have no columns");
  if (x.rows() < o.folds || y.rows() < o.folds)
    fail(std::to_string(o.folds) + "-fold cross-validation needs at least " + std::to_string(o.folds) +
         " rows in each sample, got " + std::to_string(x.rows()) + " reference rows and " +
         std::to_string(y.rows()) + " other rows");
  auto finite = [](const Eigen::Ref<const Eigen::MatrixXd>& m, const char* name) {
    for (Index j = 0; j < m.cols(); ++j)
      for (Index i = 0; i < m.rows(); ++i)
        if (!std::isfinite(m(i, j)))
          fail(std::string("the ") + name + " sample has a non-finite value at row " + std::to_string(i) +
               ", column " + std::to_string(j));
  };
  finite(x, "reference");
  finite(y, "other");
}

struct FoldOutcome {
  double accuracy = 0.0;
  int epochs = 0;
  bool converged = false;
  std::exception_ptr error;
};

}  // namespace

C2stResult c2st(const Eigen::Ref<const Eigen::MatrixXd>& reference, const Eigen::Ref<const Eigen::MatrixXd>& other,
                const RandomStream& rng, const C2stOptions& options) {
  check_input(reference, other, options);
  const Index dim = reference.cols();
  const Index n = reference.rows() + other.rows();

  // Mean and unbiased sd of the reference rows only (nn::Standardiser: sd 1 for a constant column).
  Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(dim), sd = Eigen::RowVectorXd::Ones(dim);
  if (options.z_score) {
    const auto moments = nn::Standardiser<double>::fit(nn::Matrix<double>(reference));
    mean = moments.mean();
    sd = moments.sd();
  }
  nn::Matrix<float> data(n, dim);
  std::vector<int> labels(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) {
    const bool is_other = i >= reference.rows();
    const auto row = is_other ? other.row(i - reference.rows()) : reference.row(i);
    data.row(i) = ((row.array() - mean.array()) / sd.array()).cast<float>();
    labels[static_cast<std::size_t>(i)] = is_other ? 1 : 0;
  }

  // KFold(shuffle=True): a random permutation cut into consecutive folds.
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  RandomStream fold_rng = rng.split("folds");
  for (std::size_t i = order.size() - 1; i > 0; --i)
    std::swap(order[i], order[static_cast<std::size_t>(fold_rng.below(i + 1))]);
  const auto folds = static_cast<std::size_t>(options.folds);
  std::vector<std::size_t> fold_start(folds + 1, 0);
  for (std::size_t f = 0; f < folds; ++f)
    fold_start[f + 1] = fold_start[f] + static_cast<std::size_t>(n) / folds +
                        (f < static_cast<std::size_t>(n) % folds ? 1 : 0);

  MlpClassifierOptions mlp;
  mlp.hidden = {options.hidden_per_dim * dim, options.hidden_per_dim * dim};
  mlp.learning_rate = options.learning_rate;
  mlp.alpha = options.alpha;
  mlp.batch_size = options.batch_size;
  mlp.max_iter = options.max_iter;
  mlp.tol = options.tol;
  mlp.n_iter_no_change = options.n_iter_no_change;

  std::vector<FoldOutcome> outcomes(folds);
  auto run_fold = [&](std::size_t f) {
    try {
      std::vector<char> held_out(static_cast<std::size_t>(n), 0);
      for (std::size_t k = fold_start[f]; k < fold_start[f + 1]; ++k) held_out[static_cast<std::size_t>(order[k])] = 1;
      const auto test_rows = static_cast<Index>(fold_start[f + 1] - fold_start[f]);
      nn::Matrix<float> x_train(n - test_rows, dim), x_test(test_rows, dim);
      std::vector<int> y_train, y_test;
      y_train.reserve(static_cast<std::size_t>(n - test_rows));
      y_test.reserve(static_cast<std::size_t>(test_rows));
      for (Index i = 0; i < n; ++i) {  // both parts in ascending row order, as KFold gives them
        const auto s = static_cast<std::size_t>(i);
        if (held_out[s]) {
          x_test.row(static_cast<Index>(y_test.size())) = data.row(i);
          y_test.push_back(labels[s]);
        } else {
          x_train.row(static_cast<Index>(y_train.size())) = data.row(i);
          y_train.push_back(labels[s]);
        }
      }
      const RandomStream fold_stream = rng.split(static_cast<std::uint64_t>(f));
      RandomStream init = fold_stream.split("init");
      MlpClassifier classifier(dim, mlp, init);
      const MlpFitReport report = classifier.fit(x_train, y_train, fold_stream.split("shuffle"));
      outcomes[f].accuracy = classifier.accuracy(x_test, y_test);
      outcomes[f].epochs = report.epochs;
      outcomes[f].converged = report.converged;
    } catch (...) {
      outcomes[f].error = std::current_exception();
    }
  };
  if (options.parallel_for)
    options.parallel_for(folds, run_fold);
  else
    for (std::size_t f = 0; f < folds; ++f) run_fold(f);

  C2stResult result;
  for (std::size_t f = 0; f < folds; ++f) {
    if (outcomes[f].error) std::rethrow_exception(outcomes[f].error);
    result.fold_accuracy.push_back(outcomes[f].accuracy);
    result.fold_epochs.push_back(outcomes[f].epochs);
    result.fold_converged.push_back(outcomes[f].converged);
  }
  result.accuracy = std::accumulate(result.fold_accuracy.begin(), result.fold_accuracy.end(), 0.0) /
                    static_cast<double>(folds);
  return result;
}

}  // namespace orrery::calibration
