#include "learned_posterior.hpp"

#include <cmath>
#include <limits>

#include <orrery/error.hpp>

namespace orrery::sbi {

namespace {
constexpr double kMinusInf = -std::numeric_limits<double>::infinity();
}  // namespace

void LearnedPosterior::require_observation() const {
  if (data_.size() == 0 || !q_.fitted())
    throw Error("sbi.npe: the learned posterior was used before prepare() trained it");
}

void LearnedPosterior::log_q(const Eigen::Ref<const Eigen::MatrixXd>& thetas, Eigen::Ref<Eigen::VectorXd> out) const {
  require_observation();
  thread_local Eigen::MatrixXd b;
  b.resize(data_.size(), thetas.cols());
  b.colwise() = data_;
  q_.log_prob(thetas, b, out);
}

double LearnedPosterior::log_density(const Eigen::Ref<const Eigen::VectorXd>& theta) const {
  if (!in_support(theta)) return kMinusInf;
  double value;
  Eigen::Map<Eigen::VectorXd> out(&value, 1);
  log_q(theta, out);
  return value;
}

void LearnedPosterior::log_density_batch(const Eigen::Ref<const Eigen::MatrixXd>& thetas,
                                         Eigen::Ref<Eigen::VectorXd> out) const {
  log_q(thetas, out);
  for (Eigen::Index j = 0; j < thetas.cols(); ++j)
    if (!in_support(thetas.col(j))) out[j] = kMinusInf;
}

double LearnedPosterior::log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& theta,
                                              Eigen::Ref<Eigen::VectorXd> grad) const {
  require_observation();
  if (!in_support(theta)) {
    grad.setZero();
    return kMinusInf;
  }
  thread_local Eigen::MatrixXd grad_b;
  grad_b.resize(data_.size(), 1);
  double value;
  Eigen::Map<Eigen::VectorXd> out(&value, 1);
  q_.log_prob_gradient(theta, data_, out, grad, grad_b);
  return value;
}

void LearnedPosterior::initial_point(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta) const {
  require_observation();
  constexpr int kAttempts = 1000;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    q_.sample(data_, rng, theta);
    if (in_support(theta)) return;
  }
  throw Error("sbi.npe: " + std::to_string(kAttempts) +
              " draws from the learned posterior all fell outside the prior's support");
}

}  // namespace orrery::sbi
