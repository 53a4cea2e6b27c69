#include "truncated_standard_normal.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "standard_normal.hpp"

namespace orrery::core {

TruncatedStandardNormal::TruncatedStandardNormal(double lower, double upper)
    : lower_(lower), upper_(upper), mirrored_(upper <= 0.0) {
  if (!(lower < upper)) throw std::invalid_argument("TruncatedStandardNormal: lower must be below upper");
  a_ = mirrored_ ? -upper : lower;
  b_ = mirrored_ ? -lower : upper;
  log_mass_ = log_normal_interval_mass(a_, b_);

  // Log acceptance rate of each exact rejection scheme on [a_, b_]; pick the best.
  // Normal proposal: accepts with probability Z.
  double best = log_mass_;
  method_ = Method::Normal;
  // Uniform proposal with envelope φ(c), c = argmax of φ on the interval:
  // accepts with probability Z / ((b - a) φ(c)).
  const double width = b_ - a_;
  if (std::isfinite(width)) {
    envelope_point_ = std::max(a_, 0.0);
    const double log_uniform = log_mass_ - std::log(width) - log_normal_pdf(envelope_point_);
    if (log_uniform > best) {
      best = log_uniform;
      method_ = Method::Uniform;
    }
  }
  // Exponential proposal a + Exp(λ) for a >= 0; the envelope constant is
  // M = exp(λ²/2 - λa) / λ against exp(-z²/2), so it accepts with probability
  // sqrt(2π) Z / M.
  if (a_ >= 0.0) {
    rate_ = 0.5 * (a_ + std::sqrt(a_ * a_ + 4.0));
    const double log_exponential = kLogSqrtTwoPi + log_mass_ - (0.5 * rate_ * rate_ - rate_ * a_) + std::log(rate_);
    if (log_exponential > best) method_ = Method::Exponential;
  }
}

double TruncatedStandardNormal::sample(RandomStream& rng) const {
  double z = 0.0;
  switch (method_) {
    case Method::Normal:
      do z = rng.normal(); while (z < a_ || z > b_);
      break;
    case Method::Uniform:
      for (;;) {
        z = rng.uniform(a_, b_);
        // Accept with probability φ(z) / φ(c) = exp(-(z - c)(z + c) / 2).
        const double log_accept = -0.5 * (z - envelope_point_) * (z + envelope_point_);
        if (std::log(rng.uniform_open()) <= log_accept) break;
      }
      break;
    case Method::Exponential:
      for (;;) {
        z = a_ - std::log(rng.uniform_open()) / rate_;
        if (z > b_) continue;
        const double distance = z - rate_;
        if (std::log(rng.uniform_open()) <= -0.5 * distance * distance) break;
      }
      break;
  }
  // Rounding in the uniform proposal could land a hair outside; keep the support exact.
  z = std::clamp(z, a_, b_);
  return mirrored_ ? -z : z;
}

}  // namespace orrery::core
