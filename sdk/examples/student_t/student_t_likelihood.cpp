// example.student_t_likelihood: a heavy-tailed alternative to
// core.gaussian_likelihood, with the same options plus the degrees of freedom.
// It shows everything a plugin needs: an SDK interface, an option schema, a
// constructor that validates, const thread-safe evaluation, and registration.
#include <Eigen/Cholesky>
#include <cmath>
#include <numbers>
#include <orrery/orrery.hpp>

namespace {

class StudentTLikelihood final : public orrery::Likelihood {
 public:
  static orrery::Schema options() {
    using namespace orrery::option;
    return {real_list("mean").required().doc("location of the first len(mean) scalar parameters"),
            real_matrix("cov").required().doc("scale matrix (symmetric positive definite)"),
            real("nu").default_value(5.0).min(0.5).doc("degrees of freedom; large nu tends to the Gaussian")};
  }

  explicit StudentTLikelihood(orrery::Context& ctx) {
    const orrery::Options& opts = ctx.options();
    mean_ = opts.real_list("mean");
    const Eigen::MatrixXd scale = opts.real_matrix("cov");
    nu_ = opts.real("nu");
    if (!std::isfinite(nu_)) opts.error("nu", "must be finite (use core.gaussian_likelihood for the limit nu -> inf)");
    const auto k = mean_.size();
    if (scale.rows() != k || scale.cols() != k) opts.error("cov", "must be square with the size of mean");
    Eigen::LLT<Eigen::MatrixXd> llt(scale);
    if (llt.info() != Eigen::Success || !scale.isApprox(scale.transpose()))
      opts.error("cov", "must be symmetric positive definite");
    cholesky_ = llt.matrixL();
    for (const auto& block : ctx.parameters().blocks())
      if (block.is_scalar() && static_cast<Eigen::Index>(indices_.size()) < k)
        indices_.push_back(static_cast<Eigen::Index>(block.offset));
    if (static_cast<Eigen::Index>(indices_.size()) < k) opts.error("mean", "has more entries than there are parameters");
    const double kd = static_cast<double>(k);
    log_norm_ = std::lgamma((nu_ + kd) / 2) - std::lgamma(nu_ / 2) - kd / 2 * std::log(nu_ * std::numbers::pi) -
                cholesky_.diagonal().array().log().sum();
  }

  [[nodiscard]] double log_likelihood(const Eigen::Ref<const Eigen::VectorXd>& theta) const override {
    Eigen::VectorXd& z = residual(theta);
    cholesky_.triangularView<Eigen::Lower>().solveInPlace(z);
    const double kd = static_cast<double>(mean_.size());
    return log_norm_ - (nu_ + kd) / 2 * std::log1p(z.squaredNorm() / nu_);
  }

  [[nodiscard]] bool has_gradient() const override { return true; }
  double log_likelihood_gradient(const Eigen::Ref<const Eigen::VectorXd>& theta,
                                 Eigen::Ref<Eigen::VectorXd> grad) const override {
    Eigen::VectorXd& z = residual(theta);
    cholesky_.triangularView<Eigen::Lower>().solveInPlace(z);
    const double d2 = z.squaredNorm();
    cholesky_.transpose().triangularView<Eigen::Upper>().solveInPlace(z);  // now Σ⁻¹(x − μ)
    const double kd = static_cast<double>(mean_.size());
    grad.setZero();
    for (std::size_t i = 0; i < indices_.size(); ++i) grad[indices_[i]] = -(nu_ + kd) / (nu_ + d2) * z[static_cast<Eigen::Index>(i)];
    return log_norm_ - (nu_ + kd) / 2 * std::log1p(d2 / nu_);
  }

 private:
  /// θ_sel − μ in a per-thread buffer: const calls stay thread-safe and, after
  /// a thread's first call, allocate nothing.
  Eigen::VectorXd& residual(const Eigen::Ref<const Eigen::VectorXd>& theta) const {
    thread_local Eigen::VectorXd r;
    r.resize(mean_.size());
    for (std::size_t i = 0; i < indices_.size(); ++i) r[static_cast<Eigen::Index>(i)] = theta[indices_[i]] - mean_[static_cast<Eigen::Index>(i)];
    return r;
  }

  Eigen::VectorXd mean_;
  Eigen::MatrixXd cholesky_;
  std::vector<Eigen::Index> indices_;
  double nu_ = 5.0;
  double log_norm_ = 0.0;
};

}  // namespace

ORRERY_DEFINE_PLUGIN("example", "1.0.0") {
  registry.add<StudentTLikelihood>("student_t_likelihood", "Multivariate Student-t likelihood of the leading scalar parameters");
}
