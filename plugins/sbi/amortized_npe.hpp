// AmortizedNpe: sbi.npe's trained q(θ | x) offered to calibration tasks (SBC,
// expected coverage, TARP) through the SDK extension
// "orrery.amortized_posterior/1" (orrery/amortized_posterior.hpp), so they can
// condition it on many simulated data sets without retraining.
//
//   simulate(rng, θ, data)  θ = prior.initial_point(rng) (free space), data =
//                           one raw simulation at the full θ from the same
//                           stream; false when the simulation throws or is not finite
//   sample(data, rng, out)  draws of q(θ | compress(data)) inside the prior's
//                           support by rejection; Error after
//                           max_draws_per_sample × out.cols() draws
//   log_prob(θs, data, out) log q(θ_j | compress(data))
//
// Const and thread-safe (the estimator's evaluations are); per-call buffers.
// Valid once the owning sbi.npe is prepared (it offers the extension only then).
#pragma once

#include <Eigen/Core>

#include <orrery/amortized_posterior.hpp>

#include "sbi_inputs.hpp"

namespace orrery::sbi {

class AmortizedNpe final : public AmortizedPosterior {
 public:
  /// `inputs` must outlive this object.
  AmortizedNpe(const SbiInputs& inputs, double max_draws_per_sample)
      : inputs_(inputs), max_draws_per_sample_(max_draws_per_sample) {}

  [[nodiscard]] const ParameterSpace& space() const override { return inputs_.prior->space(); }
  bool simulate(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta, Eigen::VectorXd& data) const override;
  void sample(const Eigen::Ref<const Eigen::VectorXd>& data, RandomStream& rng,
              Eigen::Ref<Eigen::MatrixXd> out) const override;
  void log_prob(const Eigen::Ref<const Eigen::MatrixXd>& thetas, const Eigen::Ref<const Eigen::VectorXd>& data,
                Eigen::Ref<Eigen::VectorXd> out) const override;

 private:
  /// The estimator's conditioning vector for raw data (compressed when there is a compressor).
  [[nodiscard]] Eigen::VectorXd condition(const Eigen::Ref<const Eigen::VectorXd>& data) const;

  const SbiInputs& inputs_;
  double max_draws_per_sample_;
};

}  // namespace orrery::sbi
