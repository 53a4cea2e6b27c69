// Prior: a normalised log-density over one parameter block, with sampling.
//
// `[parameters]` entries such as `x = { prior = "uniform", min = 0, max = 1 }`
// create a Prior for the one-element block `x` (the remaining keys are the
// prior's options); a field block names a Prior component by reference
// (`prior = "@score_prior"`).
//
// Shapes: `x` and `out` have the block's size. A prior whose dimension() is 0
// applies independently to every element, so "normal" works for a scalar and
// for a [64, 64] white-noise field alike; otherwise the kernel checks that
// dimension() equals the block size.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

#include "orrery/component.hpp"
#include "orrery/error.hpp"
#include "orrery/random.hpp"

namespace orrery {

/// Improper priors. A Prior whose density does not integrate to one (such as
/// core.flat) returns a non-null pointer from extension(kImproperPriorExtension):
/// its sample() gives starting points, not draws from the prior, so
/// simulation-based inference must not simulate from it. The kernel's built-in
/// "@prior" and "@posterior" targets answer the same name with a
/// `const std::string*` listing the parameters whose priors are improper
/// (nullptr when every prior is proper); improper_parameters() reads it.
inline constexpr std::string_view kImproperPriorExtension = "orrery.improper_prior/1";

/// The parameters with improper priors behind `target` (see above), or "" if none.
inline std::string improper_parameters(Component& target) {
  const auto* names = static_cast<const std::string*>(target.extension(kImproperPriorExtension));
  return names ? *names : std::string();
}

class ORRERY_API Prior : public Component {
 public:
  static constexpr Kind kKind = Kind::Prior;
  [[nodiscard]] Kind kind() const final { return kKind; }

  /// Block size this prior is defined for, or 0 for "any size, elementwise".
  [[nodiscard]] virtual std::size_t dimension() const = 0;

  /// Normalised log-density of `x`; -infinity outside the support. Never throws
  /// for finite input. Thread-safe.
  [[nodiscard]] virtual double log_prob(const Eigen::Ref<const Eigen::VectorXd>& x) const = 0;

  /// Writes one independent draw into `out` (caller-owned, block size).
  virtual void sample(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> out) const = 0;

  /// Support of every element: [lower(), upper()], possibly infinite.
  [[nodiscard]] virtual double lower() const { return -std::numeric_limits<double>::infinity(); }
  [[nodiscard]] virtual double upper() const { return std::numeric_limits<double>::infinity(); }

  /// Whether log_prob_gradient is implemented.
  [[nodiscard]] virtual bool has_gradient() const { return false; }
  /// Returns log_prob(x) and writes d log_prob / dx into `grad` (same size as x).
  /// Inside the support only. Default: throws Error.
  virtual double log_prob_gradient(const Eigen::Ref<const Eigen::VectorXd>& /*x*/,
                                   Eigen::Ref<Eigen::VectorXd> /*grad*/) const {
    throw Error("this prior has no gradient");
  }
};

}  // namespace orrery
