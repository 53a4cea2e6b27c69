#include "neural_estimator.hpp"

#include "estimator_file.hpp"
#include "nn/serialization.hpp"
#include "nn/trainer.hpp"
#include "orrery/checkpoint.hpp"
#include "orrery/error.hpp"

namespace orrery::nde {

namespace {

template <typename T>
MatrixT<T> standardised(const Eigen::Ref<const Eigen::MatrixXd>& x, const ZScore& z) {
  return ((x.colwise() - z.mean).array().colwise() / z.sd.array()).matrix().transpose().template cast<T>();
}

}  // namespace

void NeuralEstimator::require_fitted(const char* what) const {
  if (!fitted_) throw Error("nde." + name_ + ": " + what + " called before fit() or load()");
}

void NeuralEstimator::check_batch(const char* what, Eigen::Index a_rows, Eigen::Index b_rows, Eigen::Index a_cols,
                                  Eigen::Index b_cols) const {
  const auto da = static_cast<Eigen::Index>(dim_a()), db = static_cast<Eigen::Index>(dim_b());
  if (a_rows != da || b_rows != db || a_cols != b_cols)
    throw Error("nde." + name_ + ": " + what + ": a is " + std::to_string(a_rows) + "x" + std::to_string(a_cols) +
                " and b is " + std::to_string(b_rows) + "x" + std::to_string(b_cols) + ", expected " +
                std::to_string(da) + "xn and " + std::to_string(db) + "xn");
}

void NeuralEstimator::fit(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                          Context& ctx) {
  if (a.cols() != b.cols() || a.rows() == 0)
    throw Error("nde." + name_ + ": fit needs as many b columns as a columns and dim_a > 0, found a " +
                std::to_string(a.rows()) + "x" + std::to_string(a.cols()) + " and b " + std::to_string(b.rows()) +
                "x" + std::to_string(b.cols()));
  if (!a.allFinite() || !b.allFinite()) throw Error("nde." + name_ + ": fit: the training pairs contain non-finite values");
  fitted_.reset();
  // The same split train() makes (split(1) depends only on the stream's
  // seed): standardise with the training pairs alone.
  const nn::DataSplit split = nn::split_rows(a.cols(), training_.validation_fraction, ctx.rng().split(1));
  ZScore za = ZScore::fit(a, split.train);
  ZScore zb = ZScore::fit(b, split.train);
  if (training_.precision == Precision::float32)
    fit_as<float>(a, b, std::move(za), std::move(zb), ctx);
  else
    fit_as<double>(a, b, std::move(za), std::move(zb), ctx);
}

template <typename T>
void NeuralEstimator::fit_as(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                             ZScore za, ZScore zb, Context& ctx) {
  const MatrixT<T> as = standardised<T>(a, za), bs = standardised<T>(b, zb);
  auto model = make<T>(a.rows(), b.rows(), ctx.rng());
  auto progress = ctx.progress("nde." + name_ + " training (epochs)", static_cast<std::uint64_t>(training_.max_epochs));
  TrainingServices services;
  services.executor = &ctx.executor();
  services.progress = progress.get();
  services.checkpoints = checkpoint_store(ctx);
  services.logger = &ctx.logger();
  services.label = "nde." + name_;
  report_ = train<T>(*model, *this, as, bs, training_, ctx.rng(), services);
  ctx.logger().info("nde." + name_ + ": " + std::to_string(report_.epochs) + " epochs, best validation −log q " +
                    std::to_string(report_.best_validation_loss - za.log_jacobian()) + " at epoch " +
                    std::to_string(report_.best_epoch));
  fitted_ = make_fitted_model<T>(std::move(model), *this, std::move(za), std::move(zb), &context_->executor());
}

void NeuralEstimator::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& a,
                               const Eigen::Ref<const Eigen::MatrixXd>& b, Eigen::Ref<Eigen::VectorXd> out) const {
  require_fitted("log_prob");
  check_batch("log_prob", a.rows(), b.rows(), a.cols(), b.cols());
  fitted_->log_prob(a, b, out);
}

void NeuralEstimator::log_prob_gradient(const Eigen::Ref<const Eigen::MatrixXd>& a,
                                        const Eigen::Ref<const Eigen::MatrixXd>& b, Eigen::Ref<Eigen::VectorXd> out,
                                        Eigen::Ref<Eigen::MatrixXd> grad_a, Eigen::Ref<Eigen::MatrixXd> grad_b) const {
  require_fitted("log_prob_gradient");
  check_batch("log_prob_gradient", a.rows(), b.rows(), a.cols(), b.cols());
  fitted_->log_prob_gradient(a, b, out, grad_a, grad_b);
}

void NeuralEstimator::sample(const Eigen::Ref<const Eigen::VectorXd>& b, RandomStream& rng,
                             Eigen::Ref<Eigen::MatrixXd> out) const {
  require_fitted("sample");
  check_batch("sample", out.rows(), b.size(), out.cols(), out.cols());
  fitted_->sample(b, rng, out);
}

void NeuralEstimator::save(const std::filesystem::path& dir) const {
  require_fitted("save");
  fitted_->save(dir, name_);
}

void NeuralEstimator::load(const std::filesystem::path& dir) {
  EstimatorHeader h = read_header(dir);
  if (h.estimator != name_)
    throw Error("nde." + name_ + ": '" + dir.string() + "' holds a saved nde." + h.estimator +
                " estimator, not an nde." + name_);
  const auto dim_a = static_cast<Eigen::Index>(h.a.mean.size()), dim_b = static_cast<Eigen::Index>(h.b.mean.size());
  if (training_.precision == Precision::float32)
    load_as<float>(dir, dim_a, dim_b, h.architecture, h.networks, std::move(h.a), std::move(h.b));
  else
    load_as<double>(dir, dim_a, dim_b, h.architecture, h.networks, std::move(h.a), std::move(h.b));
}

template <typename T>
void NeuralEstimator::load_as(const std::filesystem::path& dir, Eigen::Index dim_a, Eigen::Index dim_b,
                              const std::string& architecture, std::size_t networks, ZScore za, ZScore zb) {
  RandomStream unused(0);  // initial weights are replaced by the file's
  auto model = make<T>(dim_a, dim_b, unused);
  if (model->describe() != architecture)
    throw Error("nde." + name_ + ": '" + dir.string() + "' was saved with architecture '" + architecture +
                "' but this component is configured as '" + model->describe() + "'");
  const auto nets = model->networks();
  if (nets.size() != networks)
    throw Error("nde." + name_ + ": '" + dir.string() + "' lists " + std::to_string(networks) +
                " networks, expected " + std::to_string(nets.size()));
  for (std::size_t i = 0; i < nets.size(); ++i) nn::load_weights(*nets[i], network_file(dir, i));
  fitted_ = make_fitted_model<T>(std::move(model), *this, std::move(za), std::move(zb), &context_->executor());
}

}  // namespace orrery::nde
