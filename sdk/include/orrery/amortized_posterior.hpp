// AmortizedPosterior: a posterior q(θ | data) that can be conditioned on any
// data set, together with the prior and simulator it was trained on. Neural
// posterior estimators offer it so calibration tasks (SBC, expected coverage,
// TARP) can draw (θ, data) pairs from the model and ask for the posterior of
// each data set, without retraining.
//
// Offered through Component::extension(kAmortizedPosteriorExtension) by the
// component that owns the trained posterior (e.g. sbi.npe), once prepared:
//
//   auto* q = amortized_posterior(ctx.ref<Sampler>("posterior"));   // nullptr if not offered
//
// Every method is const and thread-safe; all randomness comes from the stream
// passed in, so trials run in parallel with one stream each give results
// independent of the thread count.
#pragma once

#include <string_view>

#include <Eigen/Core>

#include "orrery/component.hpp"
#include "orrery/parameter_space.hpp"
#include "orrery/random.hpp"
#include "orrery/version.hpp"

namespace orrery {

inline constexpr std::string_view kAmortizedPosteriorExtension = "orrery.amortized_posterior/1";

class ORRERY_API AmortizedPosterior {
 public:
  virtual ~AmortizedPosterior() = default;

  /// The parameters θ is drawn over (the prior's free space); draws and truths
  /// below have space().dimension() entries, in its order.
  [[nodiscard]] virtual const ParameterSpace& space() const = 0;

  /// Draws θ from the prior and simulates one data set at it (raw simulator
  /// output, before any compression). Returns false when the simulation failed
  /// (the caller draws again with the same, advanced, stream).
  virtual bool simulate(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta, Eigen::VectorXd& data) const = 0;

  /// out.cols() draws of θ ~ q(θ | data), inside the prior's support
  /// (rejection). Throws Error if the support is almost never reached.
  virtual void sample(const Eigen::Ref<const Eigen::VectorXd>& data, RandomStream& rng,
                      Eigen::Ref<Eigen::MatrixXd> out) const = 0;

  /// log q(θ_j | data) for every column θ_j of `thetas`, into out[j].
  virtual void log_prob(const Eigen::Ref<const Eigen::MatrixXd>& thetas, const Eigen::Ref<const Eigen::VectorXd>& data,
                        Eigen::Ref<Eigen::VectorXd> out) const = 0;
};

/// The component's amortized posterior, or nullptr if it offers none.
inline const AmortizedPosterior* amortized_posterior(Component& component) {
  return static_cast<const AmortizedPosterior*>(component.extension(kAmortizedPosteriorExtension));
}

}  // namespace orrery
