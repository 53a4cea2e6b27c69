// LimberClModel ("cosmology.limber_cl"): angular power spectra C_ell of
// cosmic shear and galaxy counts in the Limber approximation, with their exact
// Jacobian and their Gaussian covariance.
//
// Parameters. The model reads the eight cosmological parameters omega_c,
// omega_b, h, n_s, sigma8, omega_k, w0, wa by name from the analysis's full
// parameter space: a declared parameter (free or fixed) takes its value from
// θ, an undeclared one the model option of the same name (defaults close to
// jax-cosmo's Planck 2015 cosmology). Other parameters of the analysis are
// ignored (a name close to one of the eight draws a warning).
//
// Output. A flat data vector of n_pairs × n_ell entries in Orrery's pair-major
// layout (gaussian_covariance.hpp): all multipoles of pair (0, 0), then of
// (0, 1), ..., pairs (i, j), i ≤ j, of the tracers in `tracers` order. Labels
// read "C_ell[shear0,shear1](ell=20)".
//
// Pipeline per θ: Background and Growth tables, the linear P(k) (an analytic
// transfer function normalised to σ8, or a tabulated z = 0 spectrum), halofit
// at every node of the Limber redshift grid (unless nonlinear = "none"), and
// the Limber integrals. Tracers, their n(z) and bins, the multipoles and the
// redshift grid do not depend on θ and are built once, in the constructor.
// evaluate() runs in double; evaluate_with_jacobian() runs the same code with
// dual numbers, one direction per cosmological parameter the analysis
// declares (Dual<double, 4> when it declares at most four, else
// Dual<double, 8>), so the Jacobian is the exact derivative of the discretised
// prediction. Its columns for parameters the model does not read are zero.
//
// Unphysical θ (h ≤ 0, Ω_m ≤ 0, σ8 ≤ 0, negative Ω_c or Ω_b, H² ≤ 0 somewhere,
// a closed universe in which χ is undefined, a non-finite prediction):
// evaluate and evaluate_with_jacobian throw orrery::Error, which a likelihood
// turns into a rejection. The fiducial point (see fiducial_point()) is checked
// in the constructor, so such a configuration fails before anything runs.
//
// Thread safety: const methods keep no shared mutable state.
#pragma once

#include <Eigen/Core>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include <orrery/context.hpp>
#include <orrery/model.hpp>
#include <orrery/schema.hpp>

#include "cosmo_core/cosmology_params.hpp"
#include "cosmo_core/gaussian_covariance.hpp"
#include "cosmo_core/limber.hpp"
#include "cosmo_core/linear_power.hpp"
#include "cosmo_core/tabulated_power.hpp"
#include "cosmo_core/tracer.hpp"
#include "ell_binning.hpp"

namespace orrery::cosmology {

/// Why a set of cosmological parameters is unphysical, or "" if it is not.
/// Checks what Background does not: σ8 > 0, Ω_c ≥ 0, Ω_b ≥ 0, and finiteness.
std::string unphysical_reason(const cosmo::CosmologyParams<double>& p);

class LimberClModel final : public orrery::Model {
 public:
  static orrery::Schema options();
  explicit LimberClModel(orrery::Context& ctx);

  [[nodiscard]] orrery::Shape output_shape() const override;
  [[nodiscard]] std::vector<std::string> output_labels() const override;
  void evaluate(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::VectorXd> out) const override;
  [[nodiscard]] bool has_jacobian() const override { return true; }
  void evaluate_with_jacobian(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::VectorXd> out,
                              Eigen::Ref<Eigen::MatrixXd> jacobian) const override;
  [[nodiscard]] bool has_covariance() const override { return true; }
  /// Gaussian (Knox) covariance of the data about the prediction at θ, with
  /// the tracers' shape or shot noise and this model's f_sky, as a dense matrix.
  void covariance(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::MatrixXd> cov) const override;

  // --- for the other components of the cosmology library -------------------
  /// The block-sparse Gaussian covariance about a prediction of this model
  /// (output_size() entries) for sky fraction f_sky. Throws orrery::Error if
  /// a block is not positive definite.
  [[nodiscard]] cosmo::GaussianCovariance gaussian_covariance(const Eigen::Ref<const Eigen::VectorXd>& prediction,
                                                              double f_sky) const;
  /// The analysis's fiducial point in the full space: for each parameter its
  /// fixed value or `fiducial`, else its `truth`; for cosmological parameters
  /// with neither, this model's option value; 0 for other parameters.
  [[nodiscard]] Eigen::VectorXd fiducial_point() const;
  /// The cosmology at θ (full space); throws orrery::Error if unphysical.
  [[nodiscard]] cosmo::CosmologyParams<double> cosmology_at(const Eigen::Ref<const Eigen::VectorXd>& theta) const;
  /// The linear P(k) this model uses, for cosmology p.
  [[nodiscard]] cosmo::LinearPower<double> linear_power(const cosmo::CosmologyParams<double>& p) const;
  [[nodiscard]] bool nonlinear() const { return nonlinear_; }
  [[nodiscard]] double f_sky() const { return f_sky_; }
  [[nodiscard]] const EllBinning& ell() const { return ell_; }
  [[nodiscard]] const std::vector<std::string>& tracer_names() const { return tracer_names_; }
  [[nodiscard]] const std::vector<double>& noise() const { return noise_; }
  [[nodiscard]] Eigen::Index n_pairs() const { return n_pairs_; }
  [[nodiscard]] Eigen::Index n_ell() const { return static_cast<Eigen::Index>(ell_.ell.size()); }
  /// Flat index in θ of cosmological parameter q, or -1 if the analysis does not declare it.
  [[nodiscard]] Eigen::Index parameter_index(cosmo::Param q) const { return index_[static_cast<std::size_t>(q)]; }

 private:
  /// Value and Jacobian with Dual<double, N>: N = 8 differentiates every
  /// cosmological parameter, N < 8 only those the analysis declares.
  template <int N>
  void value_and_jacobian(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::VectorXd> out,
                          Eigen::Ref<Eigen::MatrixXd> jacobian) const;
  template <typename S>
  Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> spectra(const cosmo::CosmologyParams<S>& p) const;
  void check_sizes(Eigen::Index theta, Eigen::Index out) const;

  std::string name_;
  Eigen::Index dimension_ = 0;                    ///< of the full parameter space
  std::array<Eigen::Index, cosmo::kParamCount> index_{};
  int declared_ = 0;                              ///< cosmological parameters the analysis declares
  cosmo::CosmologyParams<double> defaults_;       ///< option values (and T_cmb, N_eff)
  std::vector<cosmo::Tracer> tracers_;
  std::vector<std::string> tracer_names_;
  std::vector<double> noise_;                     ///< N_a per steradian
  EllBinning ell_;
  Eigen::Index n_pairs_ = 0;
  double f_sky_ = 1.0;
  cosmo::TransferModel transfer_ = cosmo::TransferModel::eisenstein_hu;
  std::optional<cosmo::TabulatedPower> table_;
  cosmo::TableAmplitude table_amplitude_ = cosmo::TableAmplitude::rescale_to_sigma8;
  bool nonlinear_ = true;
  cosmo::LimberSettings limber_;
  Eigen::VectorXd fiducial_;
};

}  // namespace orrery::cosmology
