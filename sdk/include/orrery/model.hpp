// Model: a deterministic forward model θ → prediction (angular power spectra,
// a final density field), optionally differentiable.
//
// θ is the full parameter vector (see likelihood.hpp). Small models offer the
// dense Jacobian; large ones (a particle-mesh simulation mapping a 64³ field to
// a 64³ field) offer vector–Jacobian products (adjoints) instead.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <vector>

#include "orrery/array.hpp"
#include "orrery/component.hpp"
#include "orrery/error.hpp"

namespace orrery {

class ORRERY_API Model : public Component {
 public:
  static constexpr Kind kKind = Kind::Model;
  [[nodiscard]] Kind kind() const final { return kKind; }

  /// Shape of one prediction; its element count is output_size().
  [[nodiscard]] virtual Shape output_shape() const = 0;
  [[nodiscard]] std::size_t output_size() const { return shape_size(output_shape()); }
  /// Optional names of the output elements (e.g. "C_ell[bin0,bin1](ell=20)").
  [[nodiscard]] virtual std::vector<std::string> output_labels() const { return {}; }

  /// Writes the prediction at theta into `out` (output_size()). Thread-safe.
  virtual void evaluate(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::VectorXd> out) const = 0;

  [[nodiscard]] virtual bool has_jacobian() const { return false; }
  /// Writes the prediction and d out / d theta (output_size × full dimension).
  virtual void evaluate_with_jacobian(const Eigen::Ref<const Eigen::VectorXd>& /*theta*/,
                                      Eigen::Ref<Eigen::VectorXd> /*out*/,
                                      Eigen::Ref<Eigen::MatrixXd> /*jacobian*/) const {
    throw Error("this model has no Jacobian");
  }

  [[nodiscard]] virtual bool has_vjp() const { return has_jacobian(); }
  /// Writes cotangentᵀ · d out / d theta into `grad` (full dimension): the
  /// adjoint (reverse-mode) product. Default: through the dense Jacobian.
  virtual void vjp(const Eigen::Ref<const Eigen::VectorXd>& theta, const Eigen::Ref<const Eigen::VectorXd>& cotangent,
                   Eigen::Ref<Eigen::VectorXd> grad) const {
    Eigen::VectorXd out(static_cast<Eigen::Index>(output_size()));
    Eigen::MatrixXd jac(out.size(), theta.size());
    evaluate_with_jacobian(theta, out, jac);
    grad.noalias() = jac.transpose() * cotangent;
  }

  [[nodiscard]] virtual bool has_covariance() const { return false; }
  /// Covariance of data about the prediction at theta (output_size squared),
  /// for models that know their own noise (e.g. Gaussian C_ell covariance).
  virtual void covariance(const Eigen::Ref<const Eigen::VectorXd>& /*theta*/, Eigen::Ref<Eigen::MatrixXd> /*cov*/) const {
    throw Error("this model has no covariance");
  }
};

}  // namespace orrery
