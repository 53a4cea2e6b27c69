#include "gaussian_likelihood.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>

#include <orrery/suggest.hpp>
#include "option_checks.hpp"
#include "standard_normal.hpp"

namespace orrery::core {
namespace {

/// Per-thread scratch space of at least `size` doubles. It only ever grows,
/// so after a thread's first call with the largest size nothing is allocated;
/// being thread-local, concurrent const calls never share it.
Eigen::Map<Eigen::VectorXd> scratch(Eigen::Index size) {
  thread_local std::vector<double> buffer;
  if (buffer.size() < static_cast<std::size_t>(size)) buffer.resize(static_cast<std::size_t>(size));
  return {buffer.data(), size};
}

/// Flat indices of the parameters the likelihood applies to.
std::vector<Eigen::Index> select_parameters(const orrery::Context& ctx, Eigen::Index count) {
  const orrery::Options& options = ctx.options();
  const orrery::ParameterSpace& space = ctx.parameters();
  std::vector<Eigen::Index> indices;
  if (options.has("parameters")) {
    const std::vector<std::string> names = options.string_list("parameters");
    if (static_cast<Eigen::Index>(names.size()) != count)
      options.error("parameters", "names " + std::to_string(names.size()) + " parameters but mean has " +
                                      std::to_string(count) + " entries");
    std::vector<std::string> scalars;
    for (const orrery::ParameterBlock& block : space.blocks())
      if (block.is_scalar()) scalars.push_back(block.name);
    for (const std::string& name : names) {
      if (std::count(names.begin(), names.end(), name) > 1)
        options.error("parameters", "names parameter '" + name + "' more than once");
      const orrery::ParameterBlock* block = space.find(name);
      if (block == nullptr) {
        std::string message = "no scalar parameter called '" + name + "'";
        message += orrery::did_you_mean(name, scalars);
        std::string known;
        for (const std::string& s : scalars) known += (known.empty() ? "" : ", ") + s;
        options.error("parameters", message + " (scalar parameters: " + known + ")");
      }
      if (!block->is_scalar())
        options.error("parameters", "parameter '" + name + "' is a field of shape " +
                                        orrery::shape_string(block->shape) + ", not a scalar");
      indices.push_back(static_cast<Eigen::Index>(block->offset));
    }
    return indices;
  }
  for (const orrery::ParameterBlock& block : space.blocks()) {
    if (static_cast<Eigen::Index>(indices.size()) == count) break;
    if (block.is_scalar()) indices.push_back(static_cast<Eigen::Index>(block.offset));
  }
  if (static_cast<Eigen::Index>(indices.size()) < count)
    options.error("mean", "has " + std::to_string(count) + " entries but the analysis has only " +
                              std::to_string(indices.size()) +
                              " scalar parameters; name the parameters with `parameters = [...]`");
  return indices;
}

/// Checks that `cov` is a finite, symmetric k×k matrix and returns it exactly symmetrised.
Eigen::MatrixXd checked_covariance(const orrery::Options& options, Eigen::Index k) {
  Eigen::MatrixXd cov = options.real_matrix("cov");
  if (cov.rows() != k || cov.cols() != k)
    options.error("cov", "must be a " + std::to_string(k) + "×" + std::to_string(k) +
                             " matrix to match mean, found " + std::to_string(cov.rows()) + "×" +
                             std::to_string(cov.cols()));
  if (!cov.allFinite()) options.error("cov", "has a non-finite entry");
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = 0; j < i; ++j) {
      // Relative to the scale of the entries, so unit choices do not matter;
      // tolerant only of rounding, not of typos.
      const double scale = std::sqrt(std::abs(cov(i, i) * cov(j, j)));
      if (std::abs(cov(i, j) - cov(j, i)) > 1e-10 * std::max(scale, std::abs(cov(i, j))))
        options.error("cov", "is not symmetric: entry (" + std::to_string(i + 1) + ", " + std::to_string(j + 1) +
                                 ") is " + format_real(cov(i, j)) + " but entry (" + std::to_string(j + 1) + ", " +
                                 std::to_string(i + 1) + ") is " + format_real(cov(j, i)));
    }
  return 0.5 * (cov + cov.transpose());
}

}  // namespace

orrery::Schema GaussianLikelihood::options() {
  using namespace orrery::option;
  return {real_list("mean").required().doc("mean vector of the selected parameters"),
          real_matrix("cov").required().doc("covariance matrix (symmetric positive definite, len(mean) square)"),
          string_list("parameters")
              .doc("names of the scalar parameters, in the order of mean; default: the first len(mean) "
                   "scalar parameters of the analysis")};
}

GaussianLikelihood::GaussianLikelihood(orrery::Context& ctx)
    : name_(ctx.name()),
      mean_(ctx.options().real_list("mean")),
      full_dimension_(static_cast<Eigen::Index>(ctx.parameters().dimension())) {
  const orrery::Options& options = ctx.options();
  const Eigen::Index k = mean_.size();
  if (k == 0) options.error("mean", "must have at least one entry");
  if (!mean_.allFinite()) options.error("mean", "has a non-finite entry");
  const Eigen::MatrixXd cov = checked_covariance(options, k);
  indices_ = select_parameters(ctx, k);

  const Eigen::LLT<Eigen::MatrixXd> llt(cov);
  if (llt.info() != Eigen::Success)
    options.error("cov", "is not positive definite (its Cholesky factorisation failed)");
  cholesky_ = llt.matrixL();
  const double log_det = 2.0 * cholesky_.diagonal().array().log().sum();
  if (!std::isfinite(log_det)) options.error("cov", "is numerically singular (log-determinant is not finite)");
  log_norm_ = -static_cast<double>(k) * kLogSqrtTwoPi - 0.5 * log_det;
}

void GaussianLikelihood::check_size(const Eigen::Ref<const Eigen::VectorXd>& theta) const {
  if (theta.size() != full_dimension_)
    throw orrery::Error("gaussian_likelihood '" + name_ + "': expected a parameter vector of " +
                        std::to_string(full_dimension_) + " entries, got " + std::to_string(theta.size()));
}

void GaussianLikelihood::whiten(const Eigen::Ref<const Eigen::VectorXd>& theta,
                                Eigen::Ref<Eigen::VectorXd> out) const {
  for (Eigen::Index i = 0; i < mean_.size(); ++i)
    out[i] = theta[indices_[static_cast<std::size_t>(i)]] - mean_[i];
  cholesky_.triangularView<Eigen::Lower>().solveInPlace(out);
}

double GaussianLikelihood::log_likelihood(const Eigen::Ref<const Eigen::VectorXd>& theta) const {
  check_size(theta);
  Eigen::Map<Eigen::VectorXd> y = scratch(mean_.size());
  whiten(theta, y);
  return log_norm_ - 0.5 * y.squaredNorm();
}

double GaussianLikelihood::log_likelihood_gradient(const Eigen::Ref<const Eigen::VectorXd>& theta,
                                                   Eigen::Ref<Eigen::VectorXd> grad) const {
  check_size(theta);
  Eigen::Map<Eigen::VectorXd> y = scratch(mean_.size());
  whiten(theta, y);
  const double value = log_norm_ - 0.5 * y.squaredNorm();
  // d/dθ_sel = -cov⁻¹ (θ_sel - mean) = -L⁻ᵀ y.
  cholesky_.transpose().triangularView<Eigen::Upper>().solveInPlace(y);
  grad.setZero();
  for (Eigen::Index i = 0; i < mean_.size(); ++i) grad[indices_[static_cast<std::size_t>(i)]] = -y[i];
  return value;
}

}  // namespace orrery::core
