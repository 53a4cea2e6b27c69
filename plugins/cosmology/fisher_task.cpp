#include "fisher_task.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include <orrery/atomic_file.hpp>
#include <orrery/suggest.hpp>

#include "cosmo_core/cosmology_params.hpp"
#include "data_files.hpp"
#include "data_precision.hpp"
#include "fiducial.hpp"
#include "limber_cl_model.hpp"
#include "option_text.hpp"

namespace orrery::cosmology {
namespace {

std::string short_number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return buf;
}

/// Position of `name` in `names`, or -1.
Eigen::Index position(const std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<Eigen::Index>(it - names.begin());
}

/// 1/sqrt(det) of a 2×2 covariance.
double figure_of_merit(const Eigen::Matrix2d& cov) {
  const double det = cov(0, 0) * cov(1, 1) - cov(0, 1) * cov(1, 0);
  return det > 0.0 ? 1.0 / std::sqrt(det) : std::numeric_limits<double>::quiet_NaN();
}

/// Points of the ellipse xᵀ cov⁻¹ x = delta_chi2 about `centre`, closed (first point repeated last).
Eigen::MatrixXd ellipse(const Eigen::Matrix2d& cov, const Eigen::Vector2d& centre, double delta_chi2, int points) {
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eig(cov);
  const Eigen::Vector2d radii = eig.eigenvalues().cwiseMax(0.0).cwiseSqrt() * std::sqrt(delta_chi2);
  Eigen::MatrixXd out(points, 2);
  for (int i = 0; i < points; ++i) {
    const double t = 2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(points - 1);
    const Eigen::Vector2d unit(radii[0] * std::cos(t), radii[1] * std::sin(t));
    out.row(i) = (centre + eig.eigenvectors() * unit).transpose();
  }
  out.row(points - 1) = out.row(0);
  return out;
}

std::string matrix_text(const Eigen::MatrixXd& m) {
  std::string out;
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) out += (j ? " " : "") + table_number(m(i, j));
    out += "\n";
  }
  return out;
}

std::string joined(const std::vector<std::string>& names, const char* separator) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : separator) + n;
  return out;
}

}  // namespace

double two_parameter_delta_chi2(double n_sigma) {
  return -2.0 * std::log(1.0 - std::erf(n_sigma / std::numbers::sqrt2));
}

orrery::Schema FisherTask::options() {
  using namespace orrery::option;
  return {reference("model", orrery::Kind::Model).required().doc(
              "a model with a Jacobian and a covariance, e.g. \"@cells\" (cosmology.limber_cl)"),
          string_list("parameters").doc("scalar parameters to vary; default: every parameter that is not fixed"),
          real("f_sky").greater_than(0.0).max(1.0).doc(
              "observed sky fraction; replaces the f_sky of a cosmology.limber_cl model"),
          integer("ellipse_points").default_value(129).min(8).max(100000).doc("points per confidence ellipse")};
}

FisherTask::FisherTask(orrery::Context& ctx)
    : model_(ctx.ref<orrery::Model>("model")),
      cl_model_(dynamic_cast<const LimberClModel*>(&model_)),
      name_(ctx.name()),
      ellipse_points_(static_cast<int>(ctx.options().integer("ellipse_points"))),
      parameters_location_(ctx.options().location("parameters")) {
  const orrery::Options& options = ctx.options();
  const orrery::ParameterSpace& space = ctx.parameters();
  if (!model_.has_jacobian())
    options.error("model", "the Fisher forecast needs a model with a Jacobian (has_jacobian() is false)");
  if (!model_.has_covariance())
    options.error("model", "the Fisher forecast needs a model that provides its covariance (has_covariance() is false)");

  std::vector<std::string> scalars;
  for (const orrery::ParameterBlock& b : space.blocks())
    if (b.is_scalar()) scalars.push_back(b.name);
  if (options.has("parameters")) {
    names_ = options.string_list("parameters");
    if (names_.empty()) options.error("parameters", "names no parameters");
    for (const std::string& n : names_) {
      if (std::count(names_.begin(), names_.end(), n) > 1)
        options.error("parameters", "names parameter '" + n + "' more than once");
      const orrery::ParameterBlock* b = space.find(n);
      if (b == nullptr) {
        options.error("parameters", "no parameter called '" + n + "'" + did_you_mean(n, scalars) +
                                        "; scalar parameters: " + joined(scalars, ", "));
      }
      if (!b->is_scalar())
        options.error("parameters", "parameter '" + n + "' is a field of shape " + orrery::shape_string(b->shape) +
                                        "; a Fisher forecast varies scalar parameters");
    }
  } else {
    for (const orrery::ParameterBlock& b : space.blocks()) {
      if (b.fixed) continue;
      if (!b.is_scalar())
        options.error("model", "parameter '" + b.name + "' is a free field; list the scalar parameters to vary with "
                                                         "`parameters = [...]`");
      names_.push_back(b.name);
    }
    if (names_.empty())
      options.error("model", "the analysis has no free parameters to vary: declare some in [parameters] with a "
                             "fiducial value (e.g. sigma8 = { fiducial = 0.8 }), or list them in `parameters`");
  }
  for (const std::string& n : names_) indices_.push_back(static_cast<Eigen::Index>(space.index(n)));

  if (cl_model_ != nullptr) {
    std::vector<std::string> cosmological(cosmo::kParamNames.begin(), cosmo::kParamNames.end());
    for (const std::string& n : names_)
      if (std::find(cosmological.begin(), cosmological.end(), n) == cosmological.end())
        options.error(options.has("parameters") ? "parameters" : "model",
                      "parameter '" + n + "' is not read by the cosmology.limber_cl model (its parameters: " +
                          joined(cosmological, ", ") + "), so it cannot be constrained" +
                          (options.has("parameters") ? std::string() : "; list the parameters to vary with `parameters = [...]`"));
  }
  if (options.has("f_sky")) {
    if (cl_model_ == nullptr)
      options.error("f_sky", "applies only to cosmology.limber_cl models; set the sky fraction on the model");
    f_sky_ = options.real("f_sky");
  } else if (cl_model_ != nullptr) {
    f_sky_ = cl_model_->f_sky();
  }
  fiducial_ = analysis_fiducial(ctx, model_, "model");
}

FisherResult FisherTask::compute() const {
  const auto n = static_cast<Eigen::Index>(model_.output_size());
  const auto k = static_cast<Eigen::Index>(indices_.size());
  Eigen::VectorXd prediction(n);
  Eigen::MatrixXd full_jacobian(n, fiducial_.size());
  model_.evaluate_with_jacobian(fiducial_, prediction, full_jacobian);
  Eigen::MatrixXd jacobian(n, k);
  for (Eigen::Index i = 0; i < k; ++i) {
    jacobian.col(i) = full_jacobian.col(indices_[static_cast<std::size_t>(i)]);
    if (jacobian.col(i).squaredNorm() == 0.0)
      throw ConfigError(parameters_location_, "component '" + name_ + "': parameter '" + names_[static_cast<std::size_t>(i)] +
                                                  "' does not change the model's prediction (its Jacobian column is "
                                                  "zero), so the Fisher matrix would be singular; fix it in "
                                                  "[parameters] or leave it out of `parameters`");
  }

  std::optional<DataPrecision> precision;
  if (cl_model_ != nullptr) {
    precision.emplace(cl_model_->gaussian_covariance(prediction, *f_sky_));
  } else {
    Eigen::MatrixXd cov(n, n);
    model_.covariance(fiducial_, cov);
    precision.emplace(cov);
  }

  FisherResult r;
  r.parameters = names_;
  r.fiducial.resize(k);
  for (Eigen::Index i = 0; i < k; ++i) r.fiducial[i] = fiducial_[indices_[static_cast<std::size_t>(i)]];
  const Eigen::MatrixXd weighted = precision->apply(jacobian);
  r.fisher = jacobian.transpose() * weighted;
  r.fisher = (0.5 * (r.fisher + r.fisher.transpose())).eval();

  const Eigen::LLT<Eigen::MatrixXd> llt(r.fisher);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(r.fisher, Eigen::EigenvaluesOnly);
  const double lo = eig.eigenvalues().minCoeff(), hi = eig.eigenvalues().maxCoeff();
  if (llt.info() != Eigen::Success || !(lo > 1e-14 * hi))
    throw Error("the Fisher matrix of " + joined(names_, ", ") +
                " is singular (eigenvalues from " + short_number(lo) + " to " + short_number(hi) +
                "): the data cannot separate these parameters; vary fewer of them");
  r.covariance = llt.solve(Eigen::MatrixXd::Identity(k, k));
  r.covariance = (0.5 * (r.covariance + r.covariance.transpose())).eval();
  r.marginal = r.covariance.diagonal().cwiseSqrt();
  r.conditional = r.fisher.diagonal().cwiseSqrt().cwiseInverse();

  const Eigen::Index w0 = position(names_, "w0"), wa = position(names_, "wa");
  if (w0 >= 0 && wa >= 0) {
    Eigen::Matrix2d c;
    c << r.covariance(w0, w0), r.covariance(w0, wa), r.covariance(wa, w0), r.covariance(wa, wa);
    r.fom_w0_wa = figure_of_merit(c);
  }
  const Eigen::Index oc = position(names_, "omega_c"), ob = position(names_, "omega_b"),
                     s8 = position(names_, "sigma8");
  if (s8 >= 0 && (oc >= 0 || ob >= 0)) {
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(2, k);  // d(Omega_m, sigma8)/d(varied parameters)
    if (oc >= 0) a(0, oc) = 1.0;
    if (ob >= 0) a(0, ob) = 1.0;
    a(1, s8) = 1.0;
    const Eigen::Matrix2d c = a * r.covariance * a.transpose();
    r.fom_omega_m_sigma8 = figure_of_merit(c);
  }
  return r;
}

orrery::Report FisherTask::run(orrery::Context& ctx) {
  const FisherResult r = compute();
  const std::filesystem::path dir = ctx.output_dir();
  const auto k = static_cast<Eigen::Index>(r.parameters.size());
  orrery::Report report;
  const std::string names = joined(r.parameters, " ");
  std::string sky = f_sky_ ? "# f_sky = " + format_real(*f_sky_) + "\n" : std::string();
  std::string fiducial = "# fiducial:";
  for (Eigen::Index i = 0; i < k; ++i) fiducial += " " + r.parameters[static_cast<std::size_t>(i)] + "=" + format_real(r.fiducial[i]);
  fiducial += "\n";

  write_file_atomically(dir / "fisher.txt", "# Fisher matrix F = J^T C^-1 J of model parameters, rows and columns: " +
                                               names + "\n" + fiducial + sky + matrix_text(r.fisher));
  write_file_atomically(dir / "fisher_inverse.txt",
                        "# forecast parameter covariance F^-1, rows and columns: " + names + "\n" + fiducial + sky +
                            matrix_text(r.covariance));
  std::string errors = "# parameter fiducial sigma_marginalised sigma_conditional\n";
  for (Eigen::Index i = 0; i < k; ++i)
    errors += r.parameters[static_cast<std::size_t>(i)] + " " + table_number(r.fiducial[i]) + " " +
              table_number(r.marginal[i]) + " " + table_number(r.conditional[i]) + "\n";
  write_file_atomically(dir / "errors.txt", errors);
  write_file_atomically(dir / "figures_of_merit.txt",
                        "# DETF figures of merit 1/sqrt(det Cov) of the marginalised parameter pairs; nan if not varied\n"
                        "fom_w0_wa " + table_number(r.fom_w0_wa) + "\nfom_omega_m_sigma8 " +
                            table_number(r.fom_omega_m_sigma8) + "\n");
  report.files = {"fisher.txt", "fisher_inverse.txt", "errors.txt", "figures_of_merit.txt"};

  const double one_sigma = two_parameter_delta_chi2(1.0), two_sigma = two_parameter_delta_chi2(2.0);
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = i + 1; j < k; ++j) {
      const std::string& a = r.parameters[static_cast<std::size_t>(i)];
      const std::string& b = r.parameters[static_cast<std::size_t>(j)];
      Eigen::Matrix2d c;
      c << r.covariance(i, i), r.covariance(i, j), r.covariance(j, i), r.covariance(j, j);
      const Eigen::Vector2d centre(r.fiducial[i], r.fiducial[j]);
      const Eigen::MatrixXd e1 = ellipse(c, centre, one_sigma, ellipse_points_);
      const Eigen::MatrixXd e2 = ellipse(c, centre, two_sigma, ellipse_points_);
      std::string text = "# marginalised confidence ellipses of (" + a + ", " + b + "): delta chi2 = " +
                         format_real(one_sigma) + " (1 sigma, 68.27%) and " + format_real(two_sigma) +
                         " (2 sigma, 95.45%)\n# " + a + "_1sigma " + b + "_1sigma " + a + "_2sigma " + b + "_2sigma\n";
      for (int p = 0; p < ellipse_points_; ++p)
        text += table_number(e1(p, 0)) + " " + table_number(e1(p, 1)) + " " + table_number(e2(p, 0)) + " " +
                table_number(e2(p, 1)) + "\n";
      const std::string file = "ellipse_" + a + "-" + b + ".txt";
      write_file_atomically(dir / file, text);
      report.files.push_back(file);
    }

  report.add("varied parameters", joined(r.parameters, ", "));
  if (f_sky_) report.add("f_sky", *f_sky_);
  for (Eigen::Index i = 0; i < k; ++i)
    report.add("sigma(" + r.parameters[static_cast<std::size_t>(i)] + ")",
               short_number(r.marginal[i]) + " marginalised, " + short_number(r.conditional[i]) + " conditional");
  report.add("FoM(w0, wa)", std::isfinite(r.fom_w0_wa) ? short_number(r.fom_w0_wa) : "n/a (w0 and wa not both varied)");
  report.add("FoM(Omega_m, sigma8)", std::isfinite(r.fom_omega_m_sigma8)
                                         ? short_number(r.fom_omega_m_sigma8)
                                         : "n/a (sigma8 and omega_c or omega_b not varied)");
  return report;
}

}  // namespace orrery::cosmology
