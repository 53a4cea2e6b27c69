#include "adaptive_proposal.hpp"

#include <algorithm>
#include <cmath>

namespace orrery::samplers {
namespace {

/// Relative ridge added to the empirical variances, so Σ̂ stays positive
/// definite even when the chain has so far moved along a lower-dimensional set.
constexpr double kRidge = 1e-6;
/// Robbins–Monro gains (n)^-kGainDecay: square-summable but not summable.
constexpr double kGainDecay = 0.6;
/// Bound on |log s|, so a pathological warm-up cannot overflow the scale.
constexpr double kMaxLogScale = 30.0;

}  // namespace

AdaptiveProposal::AdaptiveProposal(const Eigen::VectorXd& initial_sd, Shape shape, double target_acceptance)
    : shape_(shape),
      target_acceptance_(target_acceptance),
      optimal_factor_(2.38 * 2.38 / static_cast<double>(initial_sd.size())),
      // Enough states for a well-conditioned covariance estimate.
      minimum_samples_(std::max<std::uint64_t>(
          100, shape == Shape::Full ? 2 * static_cast<std::uint64_t>(initial_sd.size()) : 0)),
      mean_(Eigen::VectorXd::Zero(initial_sd.size())),
      delta_(initial_sd.size()),
      sd_(initial_sd),
      // Sized up front (constructed in place: an LLT's status is unset until compute()).
      llt_(shape == Shape::Full ? initial_sd.size() : 0),
      z_(initial_sd.size()),
      step_(initial_sd.size()) {
  const Eigen::Index d = initial_sd.size();
  if (shape_ == Shape::Full) {
    scatter_ = Eigen::MatrixXd::Zero(d, d);
    factor_ = Eigen::MatrixXd::Zero(d, d);
    covariance_work_ = Eigen::MatrixXd::Zero(d, d);
  } else {
    scatter_diagonal_ = Eigen::VectorXd::Zero(d);
  }
}

double AdaptiveProposal::scale() const { return std::exp(log_scale_); }

void AdaptiveProposal::propose(const Eigen::VectorXd& x, RandomStream& rng, Eigen::VectorXd& out) {
  rng.fill_normal(z_);
  if (empirical_ && shape_ == Shape::Full)
    step_.noalias() = factor_.triangularView<Eigen::Lower>() * z_;
  else
    step_ = sd_.cwiseProduct(z_);
  out = x + scale() * step_;
}

void AdaptiveProposal::adapt(const Eigen::VectorXd& state, double acceptance_probability) {
  observe(state);

  ++scale_updates_;
  const double gain = std::pow(static_cast<double>(scale_updates_), -kGainDecay);
  log_scale_ = std::clamp(log_scale_ + gain * (acceptance_probability - target_acceptance_), -kMaxLogScale,
                          kMaxLogScale);

  if (count_ >= minimum_samples_ && (count_ - minimum_samples_) % kRefreshInterval == 0) refresh();
}

void AdaptiveProposal::observe(const Eigen::VectorXd& state) {
  ++count_;
  const double n = static_cast<double>(count_);
  delta_ = state - mean_;
  mean_ += delta_ / n;
  // Welford: the scatter grows by (x - mean_old)(x - mean_new)ᵀ = (n-1)/n δ δᵀ.
  if (shape_ == Shape::Full)
    scatter_.selfadjointView<Eigen::Lower>().rankUpdate(delta_, (n - 1.0) / n);
  else
    scatter_diagonal_ += ((n - 1.0) / n) * delta_.cwiseAbs2();
}

void AdaptiveProposal::refresh() {
  if (count_ < 2) return;
  const double inverse_dof = 1.0 / static_cast<double>(count_ - 1);
  if (shape_ == Shape::Full) {
    // A coordinate that has never moved has no variance to learn from yet:
    // keep the current proposal until it has.
    if ((scatter_.diagonal().array() <= 0.0).any()) return;
    covariance_work_.triangularView<Eigen::Lower>() = inverse_dof * scatter_;
    covariance_work_.diagonal() *= 1.0 + kRidge;
    llt_.compute(covariance_work_);
    if (llt_.info() != Eigen::Success) return;
    factor_ = llt_.matrixL();
    factor_ *= std::sqrt(optimal_factor_);
  } else {
    if ((scatter_diagonal_.array() <= 0.0).any()) return;
    sd_ = (optimal_factor_ * (1.0 + kRidge) * inverse_dof * scatter_diagonal_).cwiseSqrt();
  }
  if (!empirical_) {
    // A new proposal shape: restart the scale adaptation from s = 1.
    empirical_ = true;
    log_scale_ = 0.0;
    scale_updates_ = 0;
  }
}

}  // namespace orrery::samplers
