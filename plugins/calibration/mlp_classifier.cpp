#include "calibration/mlp_classifier.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "nn/activations.hpp"
#include "nn/adam.hpp"
#include "nn/trainer.hpp"
#include "orrery/error.hpp"

namespace orrery::calibration {

namespace {

[[noreturn]] void fail(const std::string& what) { throw Error("calibration: mlp classifier: " + what); }

void check_options(const MlpClassifierOptions& o) {
  if (o.hidden.empty()) fail("needs at least one hidden layer");
  for (nn::Index h : o.hidden)
    if (h < 1) fail("hidden layer sizes must be >= 1, got " + std::to_string(h));
  if (o.batch_size < 1) fail("batch_size must be >= 1, got " + std::to_string(o.batch_size));
  if (o.max_iter < 1) fail("max_iter must be >= 1, got " + std::to_string(o.max_iter));
  if (o.n_iter_no_change < 0) fail("n_iter_no_change must be >= 0, got " + std::to_string(o.n_iter_no_change));
  if (!(o.alpha >= 0.0)) fail("alpha must be >= 0, got " + std::to_string(o.alpha));
  if (!(o.tol >= 0.0)) fail("tol must be >= 0, got " + std::to_string(o.tol));
  if (!(o.learning_rate > 0.0)) fail("learning_rate must be > 0, got " + std::to_string(o.learning_rate));
}

void check_data(const nn::Matrix<float>& x, std::span<const int> labels, nn::Index inputs) {
  if (x.cols() != inputs)
    fail("the data have " + std::to_string(x.cols()) + " columns, the network " + std::to_string(inputs) + " inputs");
  if (static_cast<std::size_t>(x.rows()) != labels.size())
    fail(std::to_string(x.rows()) + " rows but " + std::to_string(labels.size()) + " labels");
  if (x.rows() == 0) fail("no rows");
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] != 0 && labels[i] != 1)
      fail("label " + std::to_string(i) + " is " + std::to_string(labels[i]) + ", expected 0 or 1");
}

float sigmoid(float z) { return 1.0f / (1.0f + std::exp(-z)); }

}  // namespace

MlpClassifier::MlpClassifier(nn::Index inputs, MlpClassifierOptions options, RandomStream& init)
    : options_(std::move(options)), inputs_(inputs) {
  check_options(options_);
  if (inputs < 1) fail("needs at least one input, got " + std::to_string(inputs));
  nn::Index fan_in = inputs;
  auto add_dense = [&](nn::Index fan_out) {
    // sklearn: weights then biases of each layer ~ U(−b, b), b = √(6/(fan_in + fan_out)).
    auto& dense = net_.emplace<nn::Dense<float>>(fan_in, fan_out, init, nn::Init::glorot_uniform);
    const double bound = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
    for (nn::Index j = 0; j < fan_out; ++j) dense.bias()(j) = static_cast<float>(init.uniform(-bound, bound));
    dense_.push_back(&dense);
    fan_in = fan_out;
  };
  for (nn::Index h : options_.hidden) {
    add_dense(h);
    net_.emplace<nn::Activation<float>>(nn::ActivationKind::relu);
  }
  add_dense(1);
}

MlpFitReport MlpClassifier::fit(const nn::Matrix<float>& x, std::span<const int> labels, RandomStream shuffle) {
  check_data(x, labels, inputs_);
  nn::AdamOptions adam_options;
  adam_options.learning_rate = options_.learning_rate;
  adam_options.beta1 = options_.beta1;
  adam_options.beta2 = options_.beta2;
  adam_options.epsilon = options_.epsilon;
  nn::Adam<float> adam(net_, adam_options);

  const nn::Index n = x.rows();
  const auto batch = static_cast<std::size_t>(std::min(options_.batch_size, n));
  std::vector<nn::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), nn::Index{0});
  nn::Matrix<float> xb, grad;
  const float eps = std::numeric_limits<float>::epsilon();

  MlpFitReport report;
  double best = std::numeric_limits<double>::infinity();
  int no_improvement = 0;
  for (int epoch = 0; epoch < options_.max_iter; ++epoch) {
    for (std::size_t i = order.size() - 1; i > 0; --i)
      std::swap(order[i], order[static_cast<std::size_t>(shuffle.below(i + 1))]);
    double accumulated = 0.0;
    for (std::size_t start = 0; start < order.size(); start += batch) {
      const std::size_t count = std::min(batch, order.size() - start);
      const std::span<const nn::Index> rows(order.data() + start, count);
      nn::gather_rows(x, rows, xb);
      const nn::Matrix<float>& z = net_.forward(xb);
      const auto b = static_cast<double>(count);
      grad.resize(static_cast<nn::Index>(count), 1);
      double log_loss = 0.0;
      for (std::size_t k = 0; k < count; ++k) {
        const float p = sigmoid(z(static_cast<nn::Index>(k), 0));
        const float y = static_cast<float>(labels[static_cast<std::size_t>(rows[k])]);
        const float pc = std::clamp(p, eps, 1.0f - eps);
        log_loss -= (y > 0.5f) ? std::log(static_cast<double>(pc)) : std::log1p(-static_cast<double>(pc));
        grad(static_cast<nn::Index>(k), 0) = static_cast<float>((p - y) / b);
      }
      double squares = 0.0;
      for (auto* dense : dense_) squares += dense->weight().cast<double>().squaredNorm();
      const double loss = log_loss / b + 0.5 * options_.alpha * squares / b;
      if (!std::isfinite(loss)) fail("the training loss is not finite at epoch " + std::to_string(epoch + 1));
      net_.zero_grad();
      net_.backward(grad);
      const auto decay = static_cast<float>(options_.alpha / b);
      for (auto* dense : dense_) dense->gradients()[0] += decay * nn::flat(dense->weight());
      adam.step();
      accumulated += loss * b;
    }
    const double epoch_loss = accumulated / static_cast<double>(n);
    report.loss_curve.push_back(epoch_loss);
    report.epochs = epoch + 1;
    if (epoch_loss > best - options_.tol)
      ++no_improvement;
    else
      no_improvement = 0;
    best = std::min(best, epoch_loss);
    if (no_improvement > options_.n_iter_no_change) {
      report.converged = true;
      break;
    }
  }
  return report;
}

Eigen::VectorXf MlpClassifier::predict_proba(const nn::Matrix<float>& x) {
  if (x.cols() != inputs_)
    fail("the data have " + std::to_string(x.cols()) + " columns, the network " + std::to_string(inputs_) + " inputs");
  const nn::Matrix<float>& z = net_.forward(x);
  Eigen::VectorXf p(z.rows());
  for (nn::Index i = 0; i < z.rows(); ++i) p(i) = sigmoid(z(i, 0));
  return p;
}

double MlpClassifier::accuracy(const nn::Matrix<float>& x, std::span<const int> labels) {
  check_data(x, labels, inputs_);
  const Eigen::VectorXf p = predict_proba(x);
  nn::Index correct = 0;
  for (nn::Index i = 0; i < p.size(); ++i)
    if (static_cast<int>(p(i) > 0.5f) == labels[static_cast<std::size_t>(i)]) ++correct;
  return static_cast<double>(correct) / static_cast<double>(p.size());
}

}  // namespace orrery::calibration
