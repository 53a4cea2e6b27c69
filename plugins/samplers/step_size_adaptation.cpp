#include "step_size_adaptation.hpp"

namespace orrery::samplers {

double DualAveraging::learn(double accept_stat) {
  if (!(accept_stat >= 0.0)) accept_stat = 0.0;  // NaN counts as a rejection
  if (accept_stat > 1.0) accept_stat = 1.0;
  counter_ += 1.0;
  const double eta = 1.0 / (counter_ + t0_);
  s_bar_ = (1.0 - eta) * s_bar_ + eta * (delta_ - accept_stat);
  const double x = mu_ - s_bar_ * std::sqrt(counter_) / gamma_;
  const double x_eta = std::pow(counter_, -kappa_);
  x_bar_ = (1.0 - x_eta) * x_bar_ + x_eta * x;
  return std::exp(x);
}

}  // namespace orrery::samplers
