#include "posterior.hpp"

#include <cmath>
#include <limits>

namespace orrery::kernel {
namespace {
constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

/// Per-thread scratch so evaluation allocates nothing after the first call.
Eigen::VectorXd& scratch(int which, Eigen::Index size) {
  thread_local Eigen::VectorXd buffers[2];
  Eigen::VectorXd& b = buffers[which];
  if (b.size() != size) b.resize(size);
  return b;
}
}  // namespace

Posterior::Posterior(const ParameterSpace& full, std::vector<PriorTerm> priors, std::vector<const Likelihood*> likelihoods)
    : full_(full), likelihoods_(std::move(likelihoods)) {
  template_ = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(full.dimension()));
  has_gradient_ = true;
  std::size_t previous_group = static_cast<std::size_t>(-1);
  for (const ParameterBlock& b : full.blocks()) {
    if (b.fixed) {
      template_.segment(static_cast<Eigen::Index>(b.offset), static_cast<Eigen::Index>(b.size())) = b.fiducial;
      continue;
    }
    const PriorTerm* term = nullptr;
    for (const auto& p : priors)
      if (p.block == &b) term = &p;
    if (!term)
      throw ConfigError(SourceLocation{}, "parameter '" + b.name +
                                              "' is free but has no prior, so '@posterior' is improper: give it a prior "
                                              "(prior = \"uniform\", min = ..., max = ...) or fix it (value = ...)");
    ParameterBlock fb = b;
    fb.lower = term->prior->lower();
    fb.upper = term->prior->upper();
    const ParameterBlock& added = free_.add(std::move(fb));
    const bool extends_previous = !terms_.empty() && term->group == previous_group &&
                                  terms_.back().free_offset + terms_.back().size == added.offset &&
                                  terms_.back().full_offset + terms_.back().size == b.offset;
    if (extends_previous) {
      terms_.back().size += b.size();
    } else {
      terms_.push_back({term->prior, added.offset, b.offset, b.size()});
    }
    previous_group = term->group;
    has_gradient_ = has_gradient_ && term->prior->has_gradient();
  }
  identity_layout_ = free_.dimension() == full.dimension();
  for (const Likelihood* l : likelihoods_) has_gradient_ = has_gradient_ && l->has_gradient();
}

void Posterior::to_full(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> theta) const {
  theta = template_;
  for (const Term& t : terms_)
    theta.segment(static_cast<Eigen::Index>(t.full_offset), static_cast<Eigen::Index>(t.size)) =
        x.segment(static_cast<Eigen::Index>(t.free_offset), static_cast<Eigen::Index>(t.size));
}

double Posterior::log_prior(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  double lp = 0.0;
  for (const Term& t : terms_) {
    lp += t.prior->log_prob(x.segment(static_cast<Eigen::Index>(t.free_offset), static_cast<Eigen::Index>(t.size)));
    if (!(lp > kMinusInf)) return kMinusInf;  // outside the support (or NaN): no likelihood call
  }
  return lp;
}

double Posterior::log_likelihoods(const Eigen::Ref<const Eigen::VectorXd>& theta) const {
  double total = 0.0;
  for (const Likelihood* l : likelihoods_) {
    const double ll = l->log_likelihood(theta);
    if (!std::isfinite(ll)) {
      nonfinite_.fetch_add(1, std::memory_order_relaxed);
      return kMinusInf;
    }
    total += ll;
  }
  return total;
}

double Posterior::log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  const double lp = log_prior(x);
  if (lp == kMinusInf) return kMinusInf;
  double total;
  if (identity_layout_) {
    total = lp + log_likelihoods(x);
  } else {
    Eigen::VectorXd& theta = scratch(0, template_.size());
    to_full(x, theta);
    total = lp + log_likelihoods(theta);
  }
  return std::isnan(total) ? kMinusInf : total;  // e.g. +inf prior with -inf likelihood
}

double Posterior::log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> grad) const {
  if (!has_gradient_) throw Error("'@posterior' has no gradient: a prior or likelihood does not provide one");
  grad.setZero();
  double lp = 0.0;
  for (const Term& t : terms_) {
    const auto seg = static_cast<Eigen::Index>(t.free_offset);
    const auto n = static_cast<Eigen::Index>(t.size);
    lp += t.prior->log_prob_gradient(x.segment(seg, n), grad.segment(seg, n));
    if (!(lp > kMinusInf)) return kMinusInf;
  }
  Eigen::VectorXd& theta = scratch(0, template_.size());
  Eigen::VectorXd& g = scratch(1, template_.size());
  to_full(x, theta);
  for (const Likelihood* l : likelihoods_) {
    const double ll = l->log_likelihood_gradient(theta, g);
    if (!std::isfinite(ll)) {
      nonfinite_.fetch_add(1, std::memory_order_relaxed);
      return kMinusInf;
    }
    lp += ll;
    for (const Term& t : terms_)
      grad.segment(static_cast<Eigen::Index>(t.free_offset), static_cast<Eigen::Index>(t.size)) +=
          g.segment(static_cast<Eigen::Index>(t.full_offset), static_cast<Eigen::Index>(t.size));
  }
  return lp;
}

void Posterior::initial_point(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const {
  // Draw from the prior until the likelihood is finite there.
  constexpr int kAttempts = 1000;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    for (const Term& t : terms_)
      t.prior->sample(rng, x.segment(static_cast<Eigen::Index>(t.free_offset), static_cast<Eigen::Index>(t.size)));
    if (std::isfinite(log_density(x))) return;
  }
  throw Error("could not find a starting point with finite posterior density in " + std::to_string(kAttempts) +
              " prior draws; check the likelihood's data and the prior ranges");
}

}  // namespace orrery::kernel
