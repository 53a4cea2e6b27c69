// FisherTask ("cosmology.fisher"): a Fisher forecast from a differentiable model,
//
//   F = Jᵀ C⁻¹ J   at the fiducial point,
//
// with J the model's exact Jacobian restricted to the varied parameters and C
// the model's covariance there (for cosmology.limber_cl, its block-sparse
// Gaussian covariance, with the task's f_sky if given). The Gaussian
// covariance's own dependence on θ is not differentiated (the usual Fisher
// forecast for a fixed-covariance likelihood).
//
// Writes into the run's output folder (each through a temporary name):
//   fisher.txt             F, one row per varied parameter (header names them)
//   fisher_inverse.txt     F⁻¹, the forecast parameter covariance
//   errors.txt             parameter, fiducial, marginalised σ = sqrt((F⁻¹)_ii), conditional σ = 1/sqrt(F_ii)
//   figures_of_merit.txt   DETF FoM(w0, wa) = 1/sqrt(det Cov[w0, wa]) and FoM(Omega_m, sigma8), where
//                          Omega_m = omega_c + omega_b and its covariance is A F⁻¹ Aᵀ with A the
//                          Jacobian of (Omega_m, sigma8) w.r.t. the varied parameters; "nan" when the
//                          parameters needed are not varied
//   ellipse_<a>-<b>.txt    for every pair of varied parameters, the marginalised 1σ and 2σ ellipses
//                          (Δχ² = 2.30 and 6.18: 68.27 % and 95.45 % for two parameters) as columns
//                          a_1sigma b_1sigma a_2sigma b_2sigma, `ellipse_points` rows, closed
// and returns the key numbers as its Report.
#pragma once

#include <Eigen/Core>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <orrery/context.hpp>
#include <orrery/model.hpp>
#include <orrery/schema.hpp>
#include <orrery/task.hpp>

namespace orrery::cosmology {

class LimberClModel;

/// Δχ² enclosing probability erf(n/√2) (n σ of one Gaussian) for two parameters: -2 ln(1 - erf(n/√2)).
double two_parameter_delta_chi2(double n_sigma);

struct FisherResult {
  std::vector<std::string> parameters;  ///< varied parameters, in order
  Eigen::VectorXd fiducial;             ///< their fiducial values
  Eigen::MatrixXd fisher;               ///< F
  Eigen::MatrixXd covariance;           ///< F⁻¹
  Eigen::VectorXd marginal;             ///< sqrt(diag F⁻¹)
  Eigen::VectorXd conditional;          ///< 1/sqrt(diag F)
  double fom_w0_wa = std::numeric_limits<double>::quiet_NaN();
  double fom_omega_m_sigma8 = std::numeric_limits<double>::quiet_NaN();
};

class FisherTask final : public orrery::Task {
 public:
  static orrery::Schema options();
  explicit FisherTask(orrery::Context& ctx);

  orrery::Report run(orrery::Context& ctx) override;

  /// The forecast itself (what run() writes). Throws orrery::Error if F is singular.
  [[nodiscard]] FisherResult compute() const;
  /// Flat indices in θ of the varied parameters.
  [[nodiscard]] const std::vector<Eigen::Index>& indices() const { return indices_; }
  /// The full-space fiducial point.
  [[nodiscard]] const Eigen::VectorXd& fiducial() const { return fiducial_; }
  /// The sky fraction used (the task's option, else the model's).
  [[nodiscard]] std::optional<double> f_sky() const { return f_sky_; }

 private:
  const orrery::Model& model_;
  const LimberClModel* cl_model_;  ///< the model as cosmology.limber_cl, if it is one
  std::string name_;
  std::string model_name_;
  std::vector<std::string> names_;
  std::vector<Eigen::Index> indices_;
  Eigen::VectorXd fiducial_;
  std::optional<double> f_sky_;
  int ellipse_points_;
  SourceLocation parameters_location_;
};

}  // namespace orrery::cosmology
