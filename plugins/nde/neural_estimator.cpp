#include "neural_estimator.hpp"

#include "nn/trainer.hpp"

#include "estimator_file.hpp"
#include "nn/serialization.hpp"
#include "orrery/error.hpp"

namespace orrery::nde {

void NeuralEstimator::require_fitted(const char* what) const {
  if (!model_) throw Error("nde." + name_ + ": " + what + " called before fit() or load()");
}

void NeuralEstimator::check_batch(const char* what, Eigen::Index a_rows, Eigen::Index b_rows, Eigen::Index a_cols,
                                  Eigen::Index b_cols) const {
  if (a_rows != za_.mean.size() || b_rows != zb_.mean.size() || a_cols != b_cols)
    throw Error("nde." + name_ + ": " + what + ": a is " + std::to_string(a_rows) + "x" + std::to_string(a_cols) +
                " and b is " + std::to_string(b_rows) + "x" + std::to_string(b_cols) + ", expected " +
                std::to_string(za_.mean.size()) + "xn and " + std::to_string(zb_.mean.size()) + "xn");
}

void NeuralEstimator::standardise(const Eigen::Ref<const Eigen::MatrixXd>& a,
                                  const Eigen::Ref<const Eigen::MatrixXd>& b, Mat& as, Mat& bs) const {
  as = ((a.colwise() - za_.mean).array().colwise() / za_.sd.array()).matrix().transpose();
  bs = ((b.colwise() - zb_.mean).array().colwise() / zb_.sd.array()).matrix().transpose();
}

void NeuralEstimator::fit(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                          Context& ctx) {
  if (a.cols() != b.cols() || a.rows() == 0)
    throw Error("nde." + name_ + ": fit needs as many b columns as a columns and dim_a > 0, found a " +
                std::to_string(a.rows()) + "x" + std::to_string(a.cols()) + " and b " + std::to_string(b.rows()) +
                "x" + std::to_string(b.cols()));
  if (!a.allFinite() || !b.allFinite()) throw Error("nde." + name_ + ": fit: the training pairs contain non-finite values");
  std::lock_guard lock(mutex_);
  model_.reset();
  // The same split train() makes (split(1) depends only on the stream's
  // seed): standardise with the training pairs alone.
  const nn::DataSplit split = nn::split_rows(a.cols(), training_.validation_fraction, ctx.rng().split(1));
  za_ = ZScore::fit(a, split.train);
  zb_ = ZScore::fit(b, split.train);
  Mat as, bs;
  standardise(a, b, as, bs);
  auto model = make_model(a.rows(), b.rows(), ctx.rng());
  auto progress = ctx.progress("nde." + name_ + " training (epochs)", static_cast<std::uint64_t>(training_.max_epochs));
  report_ = train(*model, as, bs, training_, ctx.rng(), progress.get());
  ctx.logger().info("nde." + name_ + ": " + std::to_string(report_.epochs) + " epochs, best validation −log q " +
                    std::to_string(report_.best_validation_loss + za_.log_jacobian() * -1.0) + " at epoch " +
                    std::to_string(report_.best_epoch));
  model_ = std::move(model);
}

void NeuralEstimator::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& a,
                               const Eigen::Ref<const Eigen::MatrixXd>& b, Eigen::Ref<Eigen::VectorXd> out) const {
  require_fitted("log_prob");
  check_batch("log_prob", a.rows(), b.rows(), a.cols(), b.cols());
  Mat as, bs;
  standardise(a, b, as, bs);
  Eigen::VectorXd lq;
  std::lock_guard lock(mutex_);
  model_->forward(as, bs, lq);
  out = lq.array() + za_.log_jacobian();
}

void NeuralEstimator::log_prob_gradient(const Eigen::Ref<const Eigen::MatrixXd>& a,
                                        const Eigen::Ref<const Eigen::MatrixXd>& b, Eigen::Ref<Eigen::VectorXd> out,
                                        Eigen::Ref<Eigen::MatrixXd> grad_a, Eigen::Ref<Eigen::MatrixXd> grad_b) const {
  require_fitted("log_prob_gradient");
  check_batch("log_prob_gradient", a.rows(), b.rows(), a.cols(), b.cols());
  Mat as, bs, ga, gb;
  standardise(a, b, as, bs);
  Eigen::VectorXd lq;
  {
    std::lock_guard lock(mutex_);
    model_->forward(as, bs, lq);
    model_->backward(Eigen::VectorXd::Ones(lq.size()), ga, gb);
    // backward also accumulated parameter gradients; clear them so a later fit
    // step never sees stale values.
    model_->zero_grad();
  }
  out = lq.array() + za_.log_jacobian();
  grad_a = (ga.transpose().array().colwise() / za_.sd.array()).matrix();
  grad_b = (gb.transpose().array().colwise() / zb_.sd.array()).matrix();
}

void NeuralEstimator::sample(const Eigen::Ref<const Eigen::VectorXd>& b, RandomStream& rng,
                             Eigen::Ref<Eigen::MatrixXd> out) const {
  require_fitted("sample");
  check_batch("sample", out.rows(), b.size(), out.cols(), out.cols());
  const Mat bs = ((b - zb_.mean).array() / zb_.sd.array()).matrix().transpose();
  Mat draws(out.cols(), out.rows());
  {
    std::lock_guard lock(mutex_);
    model_->sample(bs, rng, draws);
  }
  out = (draws.transpose().array().colwise() * za_.sd.array()).matrix().colwise() + za_.mean;
}

void NeuralEstimator::save(const std::filesystem::path& dir) const {
  require_fitted("save");
  std::lock_guard lock(mutex_);
  const auto nets = model_->networks();
  for (std::size_t i = 0; i < nets.size(); ++i) nn::save_weights(*nets[i], network_file(dir, i));
  write_header(dir, {name_, model_->describe(), nets.size(), za_, zb_});
}

void NeuralEstimator::load(const std::filesystem::path& dir) {
  const EstimatorHeader h = read_header(dir);
  if (h.estimator != name_)
    throw Error("nde." + name_ + ": '" + dir.string() + "' holds a saved nde." + h.estimator +
                " estimator, not an nde." + name_);
  RandomStream unused(0);  // initial weights are replaced by the file's
  auto model = make_model(h.a.mean.size(), h.b.mean.size(), unused);
  if (model->describe() != h.architecture)
    throw Error("nde." + name_ + ": '" + dir.string() + "' was saved with architecture '" + h.architecture +
                "' but this component is configured as '" + model->describe() + "'");
  const auto nets = model->networks();
  if (nets.size() != h.networks)
    throw Error("nde." + name_ + ": '" + dir.string() + "' lists " + std::to_string(h.networks) +
                " networks, expected " + std::to_string(nets.size()));
  for (std::size_t i = 0; i < nets.size(); ++i) nn::load_weights(*nets[i], network_file(dir, i));
  std::lock_guard lock(mutex_);
  za_ = h.a;
  zb_ = h.b;
  model_ = std::move(model);
}

}  // namespace orrery::nde
