#include "gaussian_cl_likelihood.hpp"

#include <cmath>
#include <limits>

#include "data_files.hpp"
#include "fiducial.hpp"
#include "limber_cl_model.hpp"
#include "option_text.hpp"

namespace orrery::cosmology {
namespace {

constexpr double kRejected = -std::numeric_limits<double>::infinity();

/// Per-thread scratch space; it only grows, so a thread allocates only on its
/// first call with the largest size.
Eigen::Map<Eigen::VectorXd> scratch_vector(int slot, Eigen::Index size) {
  thread_local std::vector<double> buffers[2];
  std::vector<double>& b = buffers[slot];
  if (b.size() < static_cast<std::size_t>(size)) b.resize(static_cast<std::size_t>(size));
  return {b.data(), size};
}
Eigen::Map<Eigen::MatrixXd> scratch_matrix(Eigen::Index rows, Eigen::Index cols) {
  thread_local std::vector<double> buffer;
  const auto size = static_cast<std::size_t>(rows * cols);
  if (buffer.size() < size) buffer.resize(size);
  return {buffer.data(), rows, cols};
}

}  // namespace

orrery::Schema GaussianClLikelihood::options() {
  using namespace orrery::option;
  return {reference("model", orrery::Kind::Model).required().doc("the prediction, e.g. \"@cells\" (cosmology.limber_cl)"),
          file("data").doc("data vector (.npy or text) in the model's layout; default: the model's prediction at "
                           "the fiducial parameters"),
          boolean("add_noise").default_value(false).doc(
              "add one Gaussian noise draw from the covariance to simulated data (seeded by the analysis seed)")};
}

GaussianClLikelihood::GaussianClLikelihood(orrery::Context& ctx)
    : model_(ctx.ref<orrery::Model>("model")),
      name_(ctx.name()),
      dimension_(static_cast<Eigen::Index>(ctx.parameters().dimension())),
      size_(static_cast<Eigen::Index>(model_.output_size())),
      add_noise_(ctx.options().boolean("add_noise")) {
  const orrery::Options& options = ctx.options();
  if (!model_.has_covariance())
    options.error("model", "this model provides no covariance (has_covariance() is false); use a model that "
                           "knows its noise, such as cosmology.limber_cl");
  if (options.has("data")) {
    if (add_noise_) options.error("add_noise", "applies to simulated data only; remove it or the `data` option");
    try {
      data_ = read_data_vector(options.string("data"));
    } catch (const Error& e) {
      options.error("data", e.what());
    }
    if (data_.size() != size_)
      options.error("data", "holds " + std::to_string(data_.size()) + " values, but the model predicts " +
                                std::to_string(size_));
    data_from_file_ = true;
  }
  fiducial_ = analysis_fiducial(ctx, model_, "model");
}

void GaussianClLikelihood::prepare(orrery::Context& ctx) {
  Eigen::VectorXd prediction(size_);
  model_.evaluate(fiducial_, prediction);
  if (const auto* cl = dynamic_cast<const LimberClModel*>(&model_)) {
    precision_.emplace(cl->gaussian_covariance(prediction, cl->f_sky()));
  } else {
    Eigen::MatrixXd cov(size_, size_);
    model_.covariance(fiducial_, cov);
    precision_.emplace(cov);
  }
  if (!data_from_file_) {
    data_ = prediction;
    if (add_noise_) {
      Eigen::VectorXd z(size_), noise(size_);
      ctx.rng().fill_normal(z);
      precision_->correlate(z, noise);
      data_ += noise;
    }
    ctx.logger().info("data: the model's prediction at the fiducial parameters" +
                      std::string(add_noise_ ? " plus one noise draw" : " (noiseless)") + ", " +
                      std::to_string(size_) + " values");
  }
}

void GaussianClLikelihood::require_prepared(const Eigen::Ref<const Eigen::VectorXd>& theta) const {
  if (!precision_) throw Error("cosmology.gaussian_cl_likelihood '" + name_ + "' was used before prepare()");
  if (theta.size() != dimension_)
    throw Error("cosmology.gaussian_cl_likelihood '" + name_ + "': expected a parameter vector of " +
                std::to_string(dimension_) + " entries, got " + std::to_string(theta.size()));
}

double GaussianClLikelihood::log_likelihood(const Eigen::Ref<const Eigen::VectorXd>& theta) const {
  require_prepared(theta);
  Eigen::Map<Eigen::VectorXd> residual = scratch_vector(0, size_);
  try {
    model_.evaluate(theta, residual);
  } catch (const Error&) {
    return kRejected;  // unphysical or not computable: a rejection
  }
  residual = data_ - residual;
  const double chi2 = precision_->quadratic_form(residual);
  return std::isfinite(chi2) ? -0.5 * chi2 : kRejected;
}

double GaussianClLikelihood::log_likelihood_gradient(const Eigen::Ref<const Eigen::VectorXd>& theta,
                                                     Eigen::Ref<Eigen::VectorXd> grad) const {
  require_prepared(theta);
  if (grad.size() != dimension_)
    throw Error("cosmology.gaussian_cl_likelihood '" + name_ + "': the gradient buffer has " +
                std::to_string(grad.size()) + " entries, expected " + std::to_string(dimension_));
  Eigen::Map<Eigen::VectorXd> residual = scratch_vector(0, size_);
  Eigen::Map<Eigen::VectorXd> weighted = scratch_vector(1, size_);
  Eigen::Map<Eigen::MatrixXd> jacobian = scratch_matrix(size_, dimension_);
  try {
    model_.evaluate_with_jacobian(theta, residual, jacobian);
  } catch (const Error&) {
    grad.setZero();
    return kRejected;
  }
  residual = data_ - residual;
  precision_->apply(residual, weighted);
  const double chi2 = residual.dot(weighted);
  if (!std::isfinite(chi2)) {
    grad.setZero();
    return kRejected;
  }
  grad.noalias() = jacobian.transpose() * weighted;  // d(-χ²/2)/dθ = Jᵀ C⁻¹ (d - μ)
  return -0.5 * chi2;
}

}  // namespace orrery::cosmology
