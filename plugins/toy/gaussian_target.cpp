#include "gaussian_target.hpp"

#include <Eigen/Cholesky>
#include <Eigen/QR>
#include <cmath>

namespace orrery::toy {

struct GaussianTarget::Settings {
  Eigen::Index dimension = 0;
  double condition_number = 1.0;
  std::uint64_t seed = 0;
  double mean = 0.0;
  Eigen::MatrixXd covariance;  ///< empty when isotropic
  Eigen::VectorXd sd;          ///< marginal standard deviations
};

namespace {

/// A Haar-distributed random orthogonal matrix: Q of the QR decomposition of
/// a matrix of standard normals, with the column signs fixed so that R has a
/// positive diagonal (without that step Q is not uniformly distributed).
Eigen::MatrixXd random_rotation(Eigen::Index d, orrery::RandomStream& rng) {
  Eigen::MatrixXd g(d, d);
  for (Eigen::Index j = 0; j < d; ++j)
    for (Eigen::Index i = 0; i < d; ++i) g(i, j) = rng.normal();
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(g);
  Eigen::MatrixXd q = qr.householderQ();
  for (Eigen::Index j = 0; j < d; ++j)
    if (qr.matrixQR()(j, j) < 0.0) q.col(j) *= -1.0;
  return q;
}

}  // namespace

orrery::Schema GaussianTarget::options() {
  using namespace orrery::option;
  return {integer("dimension").default_value(100).range(1, 5000).doc("number of coordinates d"),
          real("condition_number")
              .default_value(1e4)
              .range(1.0, 1e12)
              .doc("ratio of the largest to the smallest covariance eigenvalue; 1 gives the standard normal"),
          integer("seed").default_value(1).min(0).doc("seed of the random rotation (independent of the analysis seed)"),
          real("mean").default_value(0.0).doc("mean of every coordinate")};
}

GaussianTarget::GaussianTarget(orrery::Context& ctx) : GaussianTarget([&] {
  const orrery::Options& options = ctx.options();
  Settings s;
  s.dimension = static_cast<Eigen::Index>(options.integer("dimension"));
  s.condition_number = finite_option(options, "condition_number");
  s.seed = static_cast<std::uint64_t>(options.integer("seed"));
  s.mean = finite_option(options, "mean");
  if (s.dimension == 1 && s.condition_number != 1.0)
    options.error("condition_number", "must be 1 for dimension 1 (one eigenvalue has no condition number)");
  if (s.condition_number != 1.0) {
    const Eigen::Index d = s.dimension;
    Eigen::VectorXd eigenvalues(d);
    for (Eigen::Index k = 0; k < d; ++k)
      eigenvalues[k] = std::pow(s.condition_number, static_cast<double>(k) / static_cast<double>(d - 1) - 0.5);
    orrery::RandomStream rng(s.seed);
    const Eigen::MatrixXd q = random_rotation(d, rng);
    s.covariance = q * eigenvalues.asDiagonal() * q.transpose();
    s.covariance = 0.5 * (s.covariance + s.covariance.transpose()).eval();
    s.sd = s.covariance.diagonal().cwiseSqrt();
  } else {
    s.sd = Eigen::VectorXd::Ones(s.dimension);
  }
  return s;
}()) {}

GaussianTarget::GaussianTarget(const Settings& s)
    : ToyTarget(numbered_names("x", 1, s.dimension), Eigen::VectorXd::Constant(s.dimension, s.mean), s.sd),
      isotropic_(s.covariance.size() == 0),
      covariance_(s.covariance) {
  if (isotropic_) {
    minus_precision_mean_ = -exact_mean();
    return;
  }
  // Σ⁻¹ to about κ·1e-16 relative accuracy (κ ≤ 1e12 by the schema),
  // symmetrised so the gradient is exactly the derivative of the quadratic form.
  minus_precision_ = -covariance_.ldlt().solve(Eigen::MatrixXd::Identity(s.dimension, s.dimension));
  minus_precision_ = 0.5 * (minus_precision_ + minus_precision_.transpose()).eval();
  minus_precision_mean_ = minus_precision_ * exact_mean();
}

double GaussianTarget::log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  if (isotropic_) return -0.5 * (x - exact_mean()).squaredNorm();
  thread_local Eigen::VectorXd grad;  // per thread: const calls stay thread-safe, no allocation after the first
  grad.resize(x.size());
  return log_density_gradient(x, grad);
}

double GaussianTarget::log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                                            Eigen::Ref<Eigen::VectorXd> grad) const {
  if (isotropic_) {
    grad = exact_mean() - x;
    return -0.5 * grad.squaredNorm();
  }
  grad.noalias() = minus_precision_ * x;
  grad -= minus_precision_mean_;  // −Σ⁻¹(x − μ)
  return 0.5 * (x - exact_mean()).dot(grad);
}

void GaussianTarget::initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const {
  uniform_box(rng, exact_mean(), 2.0 * exact_sd(), x);
}

Eigen::MatrixXd GaussianTarget::covariance() const {
  if (isotropic_) return Eigen::MatrixXd::Identity(exact_mean().size(), exact_mean().size());
  return covariance_;
}

}  // namespace orrery::toy
