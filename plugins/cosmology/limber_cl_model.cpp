#include "limber_cl_model.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

#include <orrery/suggest.hpp>

#include "cosmo_core/background.hpp"
#include "cosmo_core/dual.hpp"
#include "cosmo_core/growth.hpp"
#include "cosmo_core/halofit.hpp"
#include "option_text.hpp"
#include "tracer_options.hpp"

namespace orrery::cosmology {
namespace {

using cosmo::Param;

constexpr std::array<Param, cosmo::kParamCount> kParams = {Param::omega_c, Param::omega_b, Param::h,
                                                            Param::n_s,     Param::sigma8,  Param::omega_k,
                                                            Param::w0,      Param::wa};

std::string param_name(Param q) { return std::string(cosmo::kParamNames[static_cast<std::size_t>(q)]); }

/// The problem with one parameter value on its own, or "".
std::string single_parameter_problem(Param q, double v) {
  if (!std::isfinite(v)) return param_name(q) + " must be finite";
  switch (q) {
    case Param::h: return v > 0.0 ? "" : "h must be > 0";
    case Param::sigma8: return v > 0.0 ? "" : "sigma8 must be > 0";
    case Param::omega_c: return v >= 0.0 ? "" : "omega_c must be >= 0";
    case Param::omega_b: return v >= 0.0 ? "" : "omega_b must be >= 0";
    default: return "";
  }
}

std::string format_ell(double ell) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", ell);
  return buf;
}

}  // namespace

std::string unphysical_reason(const cosmo::CosmologyParams<double>& p) {
  for (Param q : kParams) {
    const std::string problem = single_parameter_problem(q, p[q]);
    if (!problem.empty()) return problem + ", found " + param_name(q) + " = " + format_real(p[q]);
  }
  if (!(p.omega_c + p.omega_b > 0.0))
    return "Omega_m = omega_c + omega_b must be > 0, found omega_c = " + format_real(p.omega_c) +
           ", omega_b = " + format_real(p.omega_b);
  return "";
}

orrery::Schema LimberClModel::options() {
  using namespace orrery::option;
  return {
      any("tracers").required().doc(
          "list of tracer tables { kind = \"shear\" or \"counts\", nz = { smail = [alpha, beta, z0] } or "
          "{ gaussian = [mean, sigma] } or { file = \"path\" } or { delta = z }, bins, photoz_sigma, n_eff "
          "(per arcmin², total over the bins), sigma_e, m, ia = { amplitude, eta, z_pivot }, bias }"),
      any("ell").required().doc(
          "multipoles: { log = [min, max, n] } (geometric, both ends included), { linear = [min, max, n] } "
          "(either with round = true for integers), or an explicit list; band widths by numpy.gradient"),
      real("f_sky").default_value(1.0).greater_than(0.0).max(1.0).doc("observed sky fraction, for the covariance"),
      string("transfer")
          .default_value("eisenstein_hu")
          .choices({"eisenstein_hu", "eisenstein_hu_nowiggle", "bbks"})
          .doc("transfer function of the linear P(k), normalised to sigma8"),
      file("power_table").doc(
          "linear P(k) at z = 0 to use instead of `transfer`: columns k [h/Mpc] and P [(Mpc/h)^3] (CAMB/CLASS), "
          "converted with the fiducial h; derivatives then flow only through sigma8 (if rescaled), distances "
          "and growth"),
      string("power_table_amplitude")
          .default_value("rescale_to_sigma8")
          .choices({"rescale_to_sigma8", "as_given"})
          .doc("whether the power_table is rescaled to sigma8 or used as given"),
      string("nonlinear").default_value("halofit").choices({"halofit", "none"}).doc(
          "non-linear correction: Takahashi et al. (2012) halofit, or none (linear P)"),
      integer("z_intervals").default_value(256).min(2).doc(
          "Simpson intervals of the Limber redshift integral (even; nodes denser at low z); 256 gives C_ell to ~2e-4"),
      boolean("exact_shear_ell_factor").default_value(true).doc(
          "use the exact spin-2 factor (l+2)!/(l-2)!/(l+1/2)^4 for shear (false: 1, as some codes do)"),
      real("omega_c").default_value(0.2545).min(0.0).doc("Omega_c if the analysis does not declare omega_c"),
      real("omega_b").default_value(0.0485).min(0.0).doc("Omega_b if the analysis does not declare omega_b"),
      real("h").default_value(0.682).greater_than(0.0).doc("H0 / (100 km/s/Mpc) if the analysis does not declare h"),
      real("n_s").default_value(0.971).doc("spectral index if the analysis does not declare n_s"),
      real("sigma8").default_value(0.801).greater_than(0.0).doc("sigma8 if the analysis does not declare sigma8"),
      real("omega_k").default_value(0.0).doc("Omega_k (> 0 open) if the analysis does not declare omega_k"),
      real("w0").default_value(-1.0).doc("w0 of w(a) = w0 + wa (1 - a) if the analysis does not declare w0"),
      real("wa").default_value(0.0).doc("wa if the analysis does not declare wa"),
      real("T_cmb").default_value(2.7255).min(0.0).doc("CMB temperature [K]; photons count as radiation (0: none)"),
      real("N_eff").default_value(3.046).min(0.0).doc("massless neutrino species, counted as radiation"),
  };
}

LimberClModel::LimberClModel(orrery::Context& ctx)
    : name_(ctx.name()), dimension_(static_cast<Eigen::Index>(ctx.parameters().dimension())) {
  const orrery::Options& options = ctx.options();
  const orrery::ParameterSpace& space = ctx.parameters();

  // Default cosmology from the options.
  for (Param q : kParams) {
    const std::string key = param_name(q);
    const double v = options.real(key);
    const std::string problem = single_parameter_problem(q, v);
    if (!problem.empty()) options.error(key, problem + ", found " + format_real(v));
    defaults_[q] = v;
  }
  defaults_.T_cmb = options.real("T_cmb");
  defaults_.N_eff = options.real("N_eff");
  if (!std::isfinite(defaults_.T_cmb)) options.error("T_cmb", "must be finite");
  if (!std::isfinite(defaults_.N_eff)) options.error("N_eff", "must be finite");

  // Observables.
  TracerSet tracers = parse_tracers(options, "tracers");
  tracers_ = std::move(tracers.tracers);
  tracer_names_ = std::move(tracers.names);
  noise_ = std::move(tracers.noise);
  n_pairs_ = static_cast<Eigen::Index>(tracers_.size() * (tracers_.size() + 1) / 2);
  ell_ = parse_ell_option(options, "ell", tracers.any_shear ? 2.0 : 1.0);
  f_sky_ = options.real("f_sky");

  const std::int64_t intervals = options.integer("z_intervals");
  if (intervals % 2 != 0 || intervals > 1'000'000)
    options.error("z_intervals", "must be an even number up to 1000000, found " + std::to_string(intervals));
  limber_.z_intervals = static_cast<int>(intervals);
  limber_.exact_shear_ell_factor = options.boolean("exact_shear_ell_factor");
  nonlinear_ = options.string("nonlinear") == "halofit";
  const std::string& transfer = options.string("transfer");
  transfer_ = transfer == "bbks"                     ? cosmo::TransferModel::bbks
              : transfer == "eisenstein_hu_nowiggle" ? cosmo::TransferModel::eisenstein_hu_nowiggle
                                                     : cosmo::TransferModel::eisenstein_hu;
  table_amplitude_ = options.string("power_table_amplitude") == "as_given" ? cosmo::TableAmplitude::as_given
                                                                           : cosmo::TableAmplitude::rescale_to_sigma8;

  // Parameters of the analysis, and where each fiducial value comes from.
  std::vector<std::string> known;
  for (Param q : kParams) known.push_back(param_name(q));
  fiducial_ = Eigen::VectorXd::Zero(dimension_);
  for (const orrery::ParameterBlock& b : space.blocks()) {
    const Eigen::VectorXd& v = b.fiducial.size() > 0 ? b.fiducial : b.truth;
    if (v.size() == static_cast<Eigen::Index>(b.size()))
      fiducial_.segment(static_cast<Eigen::Index>(b.offset), v.size()) = v;
    if (std::find(known.begin(), known.end(), b.name) == known.end()) {
      if (const std::string hint = did_you_mean(b.name, known); !hint.empty())
        ctx.logger().warn("parameter '" + b.name + "' is not read by this model and is ignored" + hint +
                          "; the model reads omega_c, omega_b, h, n_s, sigma8, omega_k, w0, wa");
    }
  }
  std::string provenance;
  for (Param q : kParams) {
    const std::string key = param_name(q);
    index_[static_cast<std::size_t>(q)] = -1;
    const orrery::ParameterBlock* b = space.find(key);
    std::string source = "option " + key;
    if (b != nullptr) {
      if (!b->is_scalar())
        throw ConfigError(options.raw().where(), "component '" + name_ + "': parameter '" + key +
                                                     "' is a field of shape " + orrery::shape_string(b->shape) +
                                                     "; this model reads it as a scalar");
      const auto idx = static_cast<Eigen::Index>(b->offset);
      index_[static_cast<std::size_t>(q)] = idx;
      ++declared_;
      // Each value the user gave must make sense on its own.
      const std::pair<const Eigen::VectorXd*, const char*> given[] = {
          {&b->fiducial, b->fixed ? "fixed value" : "fiducial"}, {&b->truth, "truth"}};
      for (const auto& [values, what] : given) {
        if (values->size() != 1) continue;
        const std::string problem = single_parameter_problem(q, (*values)[0]);
        if (!problem.empty())
          throw ConfigError(options.raw().where(), "component '" + name_ + "': parameter '" + key + "' in [parameters] has " +
                                                       what + " " + format_real((*values)[0]) +
                                                       ", which is unphysical: " + problem);
      }
      if (b->fiducial.size() == 1) {
        source = b->fixed ? "fixed in [parameters]" : "fiducial in [parameters]";
      } else if (b->truth.size() == 1) {
        source = "truth in [parameters]";
      } else {
        fiducial_[idx] = defaults_[q];
        source = "option " + key + "; [parameters] gives no fiducial";
      }
    }
    provenance += (provenance.empty() ? "" : ", ") + key + " = " +
                  format_real(b != nullptr ? fiducial_[static_cast<Eigen::Index>(b->offset)] : defaults_[q]) + " (" + source + ")";
  }

  // A tabulated spectrum, converted from h units with the fiducial h.
  cosmo::CosmologyParams<double> fid = defaults_;
  for (Param q : kParams)
    if (const Eigen::Index i = index_[static_cast<std::size_t>(q)]; i >= 0) fid[q] = fiducial_[i];
  if (options.has("power_table")) {
    if (!(fid.h > 0.0)) options.error("power_table", "converting from h/Mpc needs a fiducial h > 0");
    try {
      table_ = cosmo::TabulatedPower::from_file(options.string("power_table"), fid.h);
    } catch (const Error& e) {
      options.error("power_table", e.what());
    }
  }

  // The fiducial cosmology must be physical: distances, growth and the linear
  // spectrum are cheap to build, so check them here, before anything runs.
  const std::string reason = unphysical_reason(fid);
  std::string failure = reason;
  if (failure.empty()) {
    try {
      const cosmo::Background<double> background(fid);
      const cosmo::Growth<double> growth(background);
      const cosmo::LinearPower<double> linear = linear_power(fid);
      double z_max = 0.0;
      for (const cosmo::Tracer& t : tracers_) z_max = std::max(z_max, t.nz.z_max());
      (void)background.transverse_comoving_distance_z(z_max);
      (void)growth.growth_factor_z(z_max);
      if (!std::isfinite(linear(0.1))) failure = "the linear P(k) is not finite";
    } catch (const Error& e) {
      failure = e.what();
    }
  }
  if (!failure.empty())
    throw ConfigError(options.raw().where(), "component '" + name_ + "': the fiducial cosmology is unphysical: " +
                                                 failure + " (fiducial values: " + provenance + ")");
}

orrery::Shape LimberClModel::output_shape() const {
  return {static_cast<std::size_t>(n_pairs_ * n_ell())};
}

std::vector<std::string> LimberClModel::output_labels() const {
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(n_pairs_ * n_ell()));
  for (const auto& [a, b] : cosmo::tracer_pairs(static_cast<int>(tracers_.size())))
    for (double ell : ell_.ell)
      out.push_back("C_ell[" + tracer_names_[static_cast<std::size_t>(a)] + "," +
                    tracer_names_[static_cast<std::size_t>(b)] + "](ell=" + format_ell(ell) + ")");
  return out;
}

Eigen::VectorXd LimberClModel::fiducial_point() const { return fiducial_; }

void LimberClModel::check_sizes(Eigen::Index theta, Eigen::Index out) const {
  if (theta != dimension_)
    throw Error("cosmology.limber_cl '" + name_ + "': expected a parameter vector of " + std::to_string(dimension_) +
                " entries, got " + std::to_string(theta));
  if (out != n_pairs_ * n_ell())
    throw Error("cosmology.limber_cl '" + name_ + "': the output buffer has " + std::to_string(out) +
                " entries, expected " + std::to_string(n_pairs_ * n_ell()));
}

cosmo::CosmologyParams<double> LimberClModel::cosmology_at(const Eigen::Ref<const Eigen::VectorXd>& theta) const {
  if (theta.size() != dimension_)
    throw Error("cosmology.limber_cl '" + name_ + "': expected a parameter vector of " + std::to_string(dimension_) +
                " entries, got " + std::to_string(theta.size()));
  cosmo::CosmologyParams<double> p = defaults_;
  for (Param q : kParams)
    if (const Eigen::Index i = index_[static_cast<std::size_t>(q)]; i >= 0) p[q] = theta[i];
  const std::string reason = unphysical_reason(p);
  if (!reason.empty()) throw Error("cosmology.limber_cl '" + name_ + "': unphysical parameters: " + reason);
  return p;
}

cosmo::LinearPower<double> LimberClModel::linear_power(const cosmo::CosmologyParams<double>& p) const {
  if (table_) return cosmo::LinearPower<double>(p, *table_, table_amplitude_);
  return cosmo::LinearPower<double>(p, transfer_);
}

template <typename S>
Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> LimberClModel::spectra(const cosmo::CosmologyParams<S>& p) const {
  const cosmo::Background<S> background(p);
  const cosmo::Growth<S> growth(background);
  const cosmo::LinearPower<S> linear =
      table_ ? cosmo::LinearPower<S>(p, *table_, table_amplitude_) : cosmo::LinearPower<S>(p, transfer_);
  const cosmo::Limber<S> limber(background, growth, tracers_, limber_);
  const std::vector<double>& z = limber.z_grid();
  std::vector<S> growth_at(z.size());
  for (std::size_t i = 0; i < z.size(); ++i) growth_at[i] = growth.growth_factor(1.0 / (1.0 + z[i]));
  if (!nonlinear_)
    return limber.spectra(ell_.ell, [&](const S& k, std::size_t i) { return linear(k, growth_at[i]); });

  // Halofit at every node of the Limber grid; each redshift seeds the next one's search.
  const cosmo::Halofit<S> halofit(linear);
  std::vector<cosmo::HalofitSpectrum<S>> nonlinear;
  nonlinear.reserve(z.size());
  double guess = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t i = 0; i < z.size(); ++i) {
    nonlinear.push_back(halofit.at(growth_at[i], cosmo::halofit_background(background, 1.0 / (1.0 + z[i])), guess));
    if (!nonlinear.back().linear_only()) guess = -std::log(cosmo::value_of(nonlinear.back().k_sigma()));
  }
  return limber.spectra(ell_.ell,
                        [&](const S& k, std::size_t i) { return nonlinear[i](k, linear(k, growth_at[i])); });
}

void LimberClModel::evaluate(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::VectorXd> out) const {
  check_sizes(theta.size(), out.size());
  const Eigen::MatrixXd cl = spectra(cosmology_at(theta));
  const Eigen::Index n_ell = this->n_ell();
  for (Eigen::Index p = 0; p < n_pairs_; ++p)
    for (Eigen::Index l = 0; l < n_ell; ++l) out[p * n_ell + l] = cl(p, l);
  if (!out.allFinite()) throw Error("cosmology.limber_cl '" + name_ + "': the prediction is not finite at these parameters");
}

template <int N>
void LimberClModel::value_and_jacobian(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::VectorXd> out,
                                       Eigen::Ref<Eigen::MatrixXd> jacobian) const {
  using D = cosmo::Dual<double, N>;
  const cosmo::CosmologyParams<double> v = cosmology_at(theta);
  cosmo::CosmologyParams<D> p;
  p.T_cmb = v.T_cmb;
  p.N_eff = v.N_eff;
  std::array<int, cosmo::kParamCount> direction{};
  int next = 0;
  for (Param q : kParams) {
    const auto iq = static_cast<std::size_t>(q);
    if (N == cosmo::kParamCount || index_[iq] >= 0) {
      direction[iq] = next;
      p[q] = D::variable(v[q], next++);
    } else {
      direction[iq] = -1;
      p[q] = D(v[q]);
    }
  }
  const auto cl = spectra(p);
  const Eigen::Index n_ell = this->n_ell();
  jacobian.setZero();
  for (Eigen::Index pair = 0; pair < n_pairs_; ++pair)
    for (Eigen::Index l = 0; l < n_ell; ++l) {
      const D& c = cl(pair, l);
      const Eigen::Index row = pair * n_ell + l;
      out[row] = c.val;
      for (Param q : kParams) {
        const auto iq = static_cast<std::size_t>(q);
        if (index_[iq] >= 0) jacobian(row, index_[iq]) = c.d[static_cast<std::size_t>(direction[iq])];
      }
    }
}

void LimberClModel::evaluate_with_jacobian(const Eigen::Ref<const Eigen::VectorXd>& theta,
                                           Eigen::Ref<Eigen::VectorXd> out,
                                           Eigen::Ref<Eigen::MatrixXd> jacobian) const {
  check_sizes(theta.size(), out.size());
  if (jacobian.rows() != out.size() || jacobian.cols() != dimension_)
    throw Error("cosmology.limber_cl '" + name_ + "': the Jacobian buffer is " + std::to_string(jacobian.rows()) +
                "×" + std::to_string(jacobian.cols()) + ", expected " + std::to_string(out.size()) + "×" +
                std::to_string(dimension_));
  if (declared_ <= 4) {
    value_and_jacobian<4>(theta, out, jacobian);
  } else {
    value_and_jacobian<cosmo::kParamCount>(theta, out, jacobian);
  }
  if (!out.allFinite() || !jacobian.allFinite())
    throw Error("cosmology.limber_cl '" + name_ + "': the prediction or its Jacobian is not finite at these parameters");
}

cosmo::GaussianCovariance LimberClModel::gaussian_covariance(const Eigen::Ref<const Eigen::VectorXd>& prediction,
                                                             double f_sky) const {
  const Eigen::Index n_ell = this->n_ell();
  if (prediction.size() != n_pairs_ * n_ell)
    throw Error("cosmology.limber_cl '" + name_ + "': a prediction has " + std::to_string(n_pairs_ * n_ell) +
                " entries, got " + std::to_string(prediction.size()));
  Eigen::MatrixXd cl(n_pairs_, n_ell);
  for (Eigen::Index p = 0; p < n_pairs_; ++p)
    for (Eigen::Index l = 0; l < n_ell; ++l) cl(p, l) = prediction[p * n_ell + l];
  const Eigen::VectorXd ell = Eigen::Map<const Eigen::VectorXd>(ell_.ell.data(), n_ell);
  const Eigen::VectorXd delta_ell = Eigen::Map<const Eigen::VectorXd>(ell_.delta_ell.data(), n_ell);
  return cosmo::GaussianCovariance(cl, noise_, ell, delta_ell, f_sky);
}

void LimberClModel::covariance(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::MatrixXd> cov) const {
  const Eigen::Index n = n_pairs_ * n_ell();
  if (cov.rows() != n || cov.cols() != n)
    throw Error("cosmology.limber_cl '" + name_ + "': the covariance buffer must be " + std::to_string(n) + "×" +
                std::to_string(n));
  Eigen::VectorXd prediction(n);
  evaluate(theta, prediction);
  cov = gaussian_covariance(prediction, f_sky_).dense();
}

}  // namespace orrery::cosmology
