// GaussianClLikelihood ("cosmology.gaussian_cl_likelihood"): a Gaussian
// likelihood of a C_ell data vector with a fixed covariance,
//
//   log L(θ) = -1/2 (d - μ(θ))ᵀ C⁻¹ (d - μ(θ)),   gradient  Jᵀ C⁻¹ (d - μ(θ)),
//
// with μ the prediction of `model` (e.g. cosmology.limber_cl) and J its
// Jacobian (the gradient is offered when the model has one). The constant
// -1/2 log det(2π C) is dropped: C does not depend on θ.
//
// Data d: the `data` file (.npy or text, output_size() values in the model's
// layout) or, without one, the model's prediction at the fiducial point (see
// fiducial.hpp), plus one Gaussian noise draw from C if add_noise = true (from
// this component's random stream, so it is reproducible from the seed).
// C: the model's covariance at the fiducial point, computed once in
// prepare(); for cosmology.limber_cl it is kept block-sparse (one
// pairs × pairs block per multipole).
//
// θ where the model cannot be evaluated (it throws orrery::Error, e.g. an
// unphysical cosmology) gives -infinity: a rejection, not a crash.
// Thread-safe; evaluation allocates only per-thread scratch space.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <string>

#include <orrery/context.hpp>
#include <orrery/likelihood.hpp>
#include <orrery/model.hpp>
#include <orrery/schema.hpp>

#include "data_precision.hpp"

namespace orrery::cosmology {

class GaussianClLikelihood final : public orrery::Likelihood {
 public:
  static orrery::Schema options();
  explicit GaussianClLikelihood(orrery::Context& ctx);

  /// Simulates the data if needed and factorises the covariance.
  void prepare(orrery::Context& ctx) override;

  [[nodiscard]] double log_likelihood(const Eigen::Ref<const Eigen::VectorXd>& theta) const override;
  [[nodiscard]] bool has_gradient() const override { return model_.has_jacobian(); }
  double log_likelihood_gradient(const Eigen::Ref<const Eigen::VectorXd>& theta,
                                 Eigen::Ref<Eigen::VectorXd> grad) const override;

  /// The data vector (after prepare()).
  [[nodiscard]] const Eigen::VectorXd& data() const { return data_; }
  /// The point at which data were simulated and the covariance computed.
  [[nodiscard]] const Eigen::VectorXd& fiducial() const { return fiducial_; }

 private:
  void require_prepared(const Eigen::Ref<const Eigen::VectorXd>& theta) const;

  const orrery::Model& model_;
  std::string name_;
  Eigen::Index dimension_;
  Eigen::Index size_;
  bool add_noise_;
  bool data_from_file_ = false;
  Eigen::VectorXd data_;
  Eigen::VectorXd fiducial_;
  std::optional<DataPrecision> precision_;
};

}  // namespace orrery::cosmology
