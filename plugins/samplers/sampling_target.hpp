// SamplingTarget: the target option of a sampler, and the space its chains
// move in. With `unconstrained = true` (the default) bounded parameters are
// sampled through the SDK's UnconstrainedTarget (log / logit transforms with
// Jacobian corrections) and the finished chains are mapped back, so users see
// draws and log-densities of the target they configured.
#pragma once

#include <memory>

#include <orrery/context.hpp>
#include <orrery/sample_set.hpp>
#include <orrery/schema.hpp>
#include <orrery/target.hpp>
#include <orrery/unconstrained.hpp>

namespace orrery::samplers {

class SamplingTarget {
 public:
  /// The `unconstrained` option every sampler shares.
  static orrery::OptionSpec option() {
    return orrery::option::boolean("unconstrained")
        .default_value(true)
        .doc("sample bounded parameters in an unbounded space (log for one bound, logit for two) with the Jacobian "
             "correction; chains are reported in the original parameters");
  }

  /// Reads options "target" and "unconstrained" of `ctx`.
  explicit SamplingTarget(orrery::Context& ctx)
      : constrained_(&ctx.ref<orrery::Target>("target")), unconstrained_(*constrained_) {
    transform_ = ctx.options().boolean("unconstrained") && !unconstrained_.is_identity();
  }

  /// The target the user configured (chains are reported in its space).
  [[nodiscard]] const orrery::Target& constrained() const { return *constrained_; }
  /// The target the chains move on.
  [[nodiscard]] const orrery::Target& sampled() const {
    return transform_ ? static_cast<const orrery::Target&>(unconstrained_) : *constrained_;
  }
  [[nodiscard]] bool transformed() const { return transform_; }

  /// Maps a chain sampled on sampled() back to constrained() in place.
  void report(orrery::Chain& chain) const {
    if (transform_) unconstrained_.constrain_chain(chain);
  }

 private:
  const orrery::Target* constrained_;
  orrery::UnconstrainedTarget unconstrained_;
  bool transform_ = false;
};

}  // namespace orrery::samplers
