#include "laplace.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

namespace orrery::samplers {
namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kProbeFraction = 1e-2;     // probe steps aim at this fraction of the local scale
constexpr double kGradientFraction = 1e-3;  // final steps, differences of the gradient
constexpr double kDensityFraction = 1e-2;   // final steps, second differences of the density
constexpr int kProbeRounds = 30;

/// -log p at x, +inf where it is not finite.
double minus_log_p(const orrery::Target& target, const Eigen::VectorXd& x) {
  const double lp = target.log_density(x);
  return std::isfinite(lp) ? -lp : std::numeric_limits<double>::infinity();
}

/// Half the distance from x_j to the nearer bound of its block (+inf if unbounded).
Eigen::VectorXd step_caps(const orrery::ParameterSpace& space, const Eigen::VectorXd& x) {
  Eigen::VectorXd caps = Eigen::VectorXd::Constant(x.size(), std::numeric_limits<double>::infinity());
  for (const orrery::ParameterBlock& b : space.blocks())
    for (std::size_t k = b.offset; k < b.offset + b.size(); ++k) {
      const auto j = static_cast<Eigen::Index>(k);
      caps[j] = 0.5 * std::min(x[j] - b.lower, b.upper - x[j]);
    }
  return caps;
}

/// A local scale s ≈ 1/√H_jj of -log p along coordinate j, from second
/// differences whose step is rescaled until it is about kProbeFraction·s.
/// Counts its evaluations in `evaluations`.
double probe_scale(const orrery::Target& target, const Eigen::VectorXd& x, double f0, Eigen::Index j, double cap,
                   std::uint64_t& evaluations) {
  Eigen::VectorXd shifted = x;
  double h = std::min(1e-4 * (x[j] != 0.0 ? std::abs(x[j]) : 1.0), cap);
  for (int round = 0; round < kProbeRounds; ++round) {
    shifted[j] = x[j] + h;
    const double fp = minus_log_p(target, shifted);
    shifted[j] = x[j] - h;
    const double fm = minus_log_p(target, shifted);
    evaluations += 2;
    if (!std::isfinite(fp) || !std::isfinite(fm)) {
      h *= 0.1;
      continue;
    }
    const double curvature = fp + fm - 2.0 * f0;  // ≈ H_jj h²
    const double noise = 1e3 * kEpsilon * (std::abs(f0) + std::abs(fp) + std::abs(fm));
    if (curvature < -noise) return h / kProbeFraction;  // negative curvature: H will show it
    if (curvature <= noise) {                            // flat at this resolution: widen
      if (h >= cap) return h / kProbeFraction;
      h = std::min(100.0 * h, cap);
      continue;
    }
    const double scale = h / std::sqrt(curvature);
    const double next = std::min(kProbeFraction * scale, cap);
    if (next > 0.3 * h && next < 3.0 * h) return scale;
    h = next;
  }
  return h / kProbeFraction;
}

/// Column j of H from central differences of the gradient.
void gradient_column(const orrery::Target& target, const Eigen::VectorXd& x, Eigen::Index j, double h,
                     Eigen::Ref<Eigen::VectorXd> column) {
  Eigen::VectorXd shifted = x, g_plus(x.size()), g_minus(x.size());
  shifted[j] = x[j] + h;
  const double h_plus = shifted[j] - x[j];  // the step actually taken in floating point
  const double lp_plus = target.log_density_gradient(shifted, g_plus);
  shifted[j] = x[j] - h;
  const double h_minus = x[j] - shifted[j];
  const double lp_minus = target.log_density_gradient(shifted, g_minus);
  if (!std::isfinite(lp_plus) || !std::isfinite(lp_minus)) {
    column.setConstant(kNaN);
    return;
  }
  column = -(g_plus - g_minus) / (h_plus + h_minus);
}

/// Row i of H (entries j ≥ i) from second differences of the density; the
/// diagonal reuses the probe's formula with the final step.
void density_row(const orrery::Target& target, const Eigen::VectorXd& x, double f0, Eigen::Index i,
                 const Eigen::VectorXd& steps, Eigen::MatrixXd& hessian, std::uint64_t& evaluations) {
  Eigen::VectorXd shifted = x;
  const double hi = steps[i];
  shifted[i] = x[i] + hi;
  const double fp = minus_log_p(target, shifted);
  shifted[i] = x[i] - hi;
  const double fm = minus_log_p(target, shifted);
  shifted[i] = x[i];
  evaluations += 2;
  hessian(i, i) = (fp + fm - 2.0 * f0) / (hi * hi);
  for (Eigen::Index j = i + 1; j < x.size(); ++j) {
    const double hj = steps[j];
    auto at = [&](double si, double sj) {  // −log p at x + si·hi e_i + sj·hj e_j
      shifted[i] = x[i] + si * hi;
      shifted[j] = x[j] + sj * hj;
      return minus_log_p(target, shifted);
    };
    const double fpp = at(1.0, 1.0), fpm = at(1.0, -1.0), fmp = at(-1.0, 1.0), fmm = at(-1.0, -1.0);
    shifted[i] = x[i];
    shifted[j] = x[j];
    evaluations += 4;
    hessian(i, j) = (fpp - fpm - fmp + fmm) / (4.0 * hi * hj);
  }
}

}  // namespace

LaplaceResult laplace_approximation(const orrery::Target& target, const Eigen::VectorXd& mode,
                                    orrery::Executor& executor) {
  const Eigen::Index d = mode.size();
  const auto n = static_cast<std::size_t>(d);
  LaplaceResult result;
  result.used_gradient = target.has_gradient();
  result.hessian = Eigen::MatrixXd::Zero(d, d);
  result.steps.resize(d);
  const double f0 = minus_log_p(target, mode);
  result.evaluations = 1;
  if (!std::isfinite(f0)) return result;

  // Each item writes only its own slots, so any schedule gives the same result.
  const Eigen::VectorXd caps = step_caps(target.space(), mode);
  std::vector<std::uint64_t> evaluations(n, 0);
  const double fraction = result.used_gradient ? kGradientFraction : kDensityFraction;
  executor.parallel_for(n, [&](std::size_t k) {
    const auto j = static_cast<Eigen::Index>(k);
    const double scale = probe_scale(target, mode, f0, j, caps[j], evaluations[k]);
    result.steps[j] = std::min(fraction * scale, caps[j]);
  });
  if (result.used_gradient) {
    executor.parallel_for(n, [&](std::size_t k) {
      const auto j = static_cast<Eigen::Index>(k);
      gradient_column(target, mode, j, result.steps[j], result.hessian.col(j));
      evaluations[k] += 2;
    });
    result.hessian = (0.5 * (result.hessian + result.hessian.transpose())).eval();
  } else {
    executor.parallel_for(n, [&](std::size_t k) {
      density_row(target, mode, f0, static_cast<Eigen::Index>(k), result.steps, result.hessian, evaluations[k]);
    });
    result.hessian.triangularView<Eigen::StrictlyLower>() = result.hessian.transpose();
  }
  for (std::uint64_t e : evaluations) result.evaluations += e;
  if (!result.hessian.allFinite()) {
    result.status = LaplaceResult::Status::NonFinite;
    return result;
  }

  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(result.hessian);
  const Eigen::VectorXd& lambda = eigen.eigenvalues();  // ascending
  result.min_eigenvalue = lambda[0];
  result.max_eigenvalue = lambda[d - 1];
  if (!(lambda[0] > static_cast<double>(d) * kEpsilon * std::abs(lambda[d - 1]))) {
    result.status = LaplaceResult::Status::NotPositiveDefinite;
    return result;
  }
  const Eigen::MatrixXd& v = eigen.eigenvectors();
  result.covariance = v * lambda.cwiseInverse().asDiagonal() * v.transpose();
  result.covariance = (0.5 * (result.covariance + result.covariance.transpose())).eval();
  result.status = LaplaceResult::Status::PositiveDefinite;
  return result;
}

std::string describe(const LaplaceResult& result) {
  char buf[160];
  switch (result.status) {
    case LaplaceResult::Status::PositiveDefinite:
      return "positive definite";
    case LaplaceResult::Status::NotPositiveDefinite:
      std::snprintf(buf, sizeof buf, "not positive definite (eigenvalues of the Hessian from %.6g to %.6g)",
                    result.min_eigenvalue, result.max_eigenvalue);
      return buf;
    case LaplaceResult::Status::NonFinite:
      return "log density or gradient not finite within a finite-difference step of the optimum";
  }
  return "?";
}

}  // namespace orrery::samplers
