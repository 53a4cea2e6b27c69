// TruncatedStandardNormal: exact draws from a standard normal restricted to
// [a, b], for any interval, including far tails ([8, ∞), [40, 40.5]) where
// naive rejection would essentially never accept.
#pragma once

#include <orrery/random.hpp>

namespace orrery::core {

/// A standard normal truncated to [lower, upper] (either end may be infinite).
///
/// Sampling is exact rejection sampling; at construction the proposal with the
/// highest acceptance rate is chosen among three, each of which accepts at
/// least about 30% of proposals on any interval:
///  * the untruncated normal (wide intervals around 0);
///  * a uniform on the interval (narrow intervals);
///  * a shifted exponential with Robert's (1995) optimal rate (tails).
/// Intervals entirely below 0 are handled by symmetry.
class TruncatedStandardNormal {
 public:
  enum class Method { Normal, Uniform, Exponential };

  /// Requires lower < upper.
  TruncatedStandardNormal(double lower, double upper);

  [[nodiscard]] double lower() const { return lower_; }
  [[nodiscard]] double upper() const { return upper_; }
  /// log P(lower <= Z <= upper).
  [[nodiscard]] double log_mass() const { return log_mass_; }
  /// The proposal chosen for this interval.
  [[nodiscard]] Method method() const { return method_; }

  /// One exact draw in [lower, upper].
  [[nodiscard]] double sample(RandomStream& rng) const;

 private:
  double lower_;
  double upper_;
  bool mirrored_;  ///< the sampler works on [-upper, -lower] and negates
  double a_;       ///< working interval [a_, b_], with b_ > 0
  double b_;
  double log_mass_;
  Method method_ = Method::Normal;
  double envelope_point_ = 0.0;  ///< uniform proposal: where φ peaks on [a_, b_]
  double rate_ = 1.0;            ///< exponential proposal: its rate
};

}  // namespace orrery::core
