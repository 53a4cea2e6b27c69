// The kinds of component the kernel knows.
#pragma once

#include <optional>
#include <string_view>

namespace orrery {

/// Every component has exactly one kind; references between components are
/// checked by kind ("@like" given to an option expecting a Sampler is an error).
enum class Kind {
  Prior,             ///< log-density over one parameter block, with sampling
  Simulator,         ///< stochastic θ → data
  Model,             ///< deterministic θ → prediction, optionally with its Jacobian
  Likelihood,        ///< log p(data | θ) over the full parameter vector
  Compressor,        ///< data → summary, optionally trainable
  DensityEstimator,  ///< conditional density q(a | b): fit, log_prob, sample
  Target,            ///< an unnormalised log-density over the free parameters (e.g. "@posterior")
  Sampler,           ///< draws from a Target; runnable
  Task,              ///< any other runnable step (Fisher forecast, calibration, reconstruction)
};

inline constexpr Kind kAllKinds[] = {Kind::Prior,      Kind::Simulator,        Kind::Model,
                                     Kind::Likelihood, Kind::Compressor,       Kind::DensityEstimator,
                                     Kind::Target,     Kind::Sampler,          Kind::Task};

/// Lower-case name used in manifests, messages and `orrery plugins`.
constexpr std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::Prior: return "prior";
    case Kind::Simulator: return "simulator";
    case Kind::Model: return "model";
    case Kind::Likelihood: return "likelihood";
    case Kind::Compressor: return "compressor";
    case Kind::DensityEstimator: return "density_estimator";
    case Kind::Target: return "target";
    case Kind::Sampler: return "sampler";
    case Kind::Task: return "task";
  }
  return "?";
}

inline std::optional<Kind> kind_from_name(std::string_view name) {
  for (Kind k : kAllKinds)
    if (kind_name(k) == name) return k;
  return std::nullopt;
}

/// Samplers and tasks are what `orrery run` executes.
constexpr bool is_runnable(Kind k) { return k == Kind::Sampler || k == Kind::Task; }

}  // namespace orrery
