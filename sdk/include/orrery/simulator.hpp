// Simulator: a stochastic forward model θ → data.
//
// θ is the full parameter vector (see likelihood.hpp); all randomness comes
// from the stream passed in, so a simulation is reproducible from (θ, stream).
// A simulation that fails for one θ throws SimulationFailure: campaigns count
// and skip it.
#pragma once

#include <Eigen/Core>
#include <cstddef>

#include "orrery/array.hpp"
#include "orrery/component.hpp"
#include "orrery/random.hpp"

namespace orrery {

class ORRERY_API Simulator : public Component {
 public:
  static constexpr Kind kKind = Kind::Simulator;
  [[nodiscard]] Kind kind() const final { return kKind; }

  /// Shape of one simulated data set (e.g. [64, 64] for a map).
  [[nodiscard]] virtual Shape output_shape() const = 0;
  [[nodiscard]] std::size_t output_size() const { return shape_size(output_shape()); }

  /// Writes one simulation at theta into `out` (output_size()). Thread-safe
  /// for distinct streams.
  virtual void simulate(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                        Eigen::Ref<Eigen::VectorXd> out) const = 0;
};

}  // namespace orrery
