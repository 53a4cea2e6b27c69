#include "tabulate_task.hpp"

#include <cmath>
#include <limits>

#include <orrery/atomic_file.hpp>

#include "cosmo_core/background.hpp"
#include "cosmo_core/growth.hpp"
#include "cosmo_core/halofit.hpp"
#include "data_files.hpp"
#include "limber_cl_model.hpp"
#include "option_text.hpp"

namespace orrery::cosmology {
namespace {

const LimberClModel& limber_model(orrery::Context& ctx) {
  const auto* model = dynamic_cast<const LimberClModel*>(&ctx.ref<orrery::Model>("model"));
  if (model == nullptr)
    ctx.options().error("model", "must be a cosmology.limber_cl model (its cosmology and spectra are tabulated)");
  return *model;
}

std::string number(double v) { return table_number(v, 12); }

}  // namespace

orrery::Schema TabulateTask::options() {
  using namespace orrery::option;
  return {reference("model", orrery::Kind::Model).required().doc(
              "a cosmology.limber_cl model: its fiducial cosmology and spectrum settings are tabulated"),
          real_list("z").default_value(orrery::ValueList{0.0, 0.5, 1.0, 2.0}).min(0.0).doc(
              "redshifts of the P(k, z) tables"),
          real("k_min").default_value(1e-4).greater_than(0.0).doc("smallest k of the P(k) tables [1/Mpc]"),
          real("k_max").default_value(20.0).greater_than(0.0).doc("largest k of the P(k) tables [1/Mpc]"),
          integer("k_points").default_value(200).min(2).max(1000000).doc("wavenumbers, spaced logarithmically"),
          real("z_max").default_value(5.0).greater_than(0.0).max(1000.0).doc("largest redshift of the background table"),
          integer("z_points").default_value(101).min(2).max(1000000).doc("redshifts of the background table, from 0")};
}

TabulateTask::TabulateTask(orrery::Context& ctx)
    : model_(limber_model(ctx)),
      k_min_(ctx.options().real("k_min")),
      k_max_(ctx.options().real("k_max")),
      k_points_(static_cast<int>(ctx.options().integer("k_points"))),
      z_max_(ctx.options().real("z_max")),
      z_points_(static_cast<int>(ctx.options().integer("z_points"))) {
  const orrery::Options& options = ctx.options();
  const Eigen::VectorXd z = options.real_list("z");
  if (z.size() == 0) options.error("z", "needs at least one redshift");
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    if (!std::isfinite(z[i]) || z[i] > 1000.0) options.error("z", "redshifts must be finite and <= 1000");
    z_power_.push_back(z[i]);
  }
  if (!std::isfinite(k_max_) || !(k_max_ > k_min_))
    options.error("k_max", "must be finite and greater than k_min = " + format_real(k_min_));
}

orrery::Report TabulateTask::run(orrery::Context& ctx) {
  const cosmo::CosmologyParams<double> p = model_.cosmology_at(model_.fiducial_point());
  const cosmo::Background<double> background(p);
  const cosmo::Growth<double> growth(background);
  const cosmo::LinearPower<double> linear = model_.linear_power(p);

  std::string text = "# background of the fiducial cosmology: omega_c=" + format_real(p.omega_c) +
                     " omega_b=" + format_real(p.omega_b) + " h=" + format_real(p.h) + " n_s=" + format_real(p.n_s) +
                     " sigma8=" + format_real(p.sigma8) + " omega_k=" + format_real(p.omega_k) +
                     " w0=" + format_real(p.w0) + " wa=" + format_real(p.wa) + "\n" +
                     "# z chi_Mpc D_A_Mpc D_L_Mpc mu_mag H_km_s_Mpc D f\n";
  for (int i = 0; i < z_points_; ++i) {
    const double z = z_max_ * static_cast<double>(i) / static_cast<double>(z_points_ - 1);
    const double a = 1.0 / (1.0 + z);
    const double mu = z > 0.0 ? background.distance_modulus_z(z) : -std::numeric_limits<double>::infinity();
    text += number(z) + " " + number(background.comoving_radial_distance_z(z)) + " " +
            number(background.angular_diameter_distance_z(z)) + " " + number(background.luminosity_distance_z(z)) +
            " " + (std::isfinite(mu) ? number(mu) : std::string("-inf")) + " " + number(background.H(a)) + " " +
            number(growth.growth_factor(a)) + " " + number(growth.growth_rate(a)) + "\n";
  }
  const std::filesystem::path dir = ctx.output_dir();
  write_file_atomically(dir / "background.txt", text);
  orrery::Report report;
  report.files.push_back("background.txt");

  std::vector<double> growth_at, k(static_cast<std::size_t>(k_points_));
  for (double z : z_power_) growth_at.push_back(growth.growth_factor(1.0 / (1.0 + z)));
  for (int i = 0; i < k_points_; ++i)
    k[static_cast<std::size_t>(i)] = k_min_ * std::pow(k_max_ / k_min_, static_cast<double>(i) / (k_points_ - 1));
  std::string header = "# k_Mpc";
  for (double z : z_power_) header += " P(z=" + format_real(z) + ")_Mpc3";
  header += "\n";

  std::string lin = "# linear matter power spectrum P_lin(k, z) = P(k, 0) D(z)^2\n" + header;
  for (double kk : k) {
    lin += number(kk);
    for (double d : growth_at) lin += " " + number(linear(kk, d));
    lin += "\n";
  }
  write_file_atomically(dir / "power_linear.txt", lin);
  report.files.push_back("power_linear.txt");

  if (model_.nonlinear()) {
    const cosmo::Halofit<double> halofit(linear);
    std::vector<cosmo::HalofitSpectrum<double>> spectra;
    for (std::size_t j = 0; j < z_power_.size(); ++j)
      spectra.push_back(halofit.at(growth_at[j], cosmo::halofit_background(background, 1.0 / (1.0 + z_power_[j]))));
    std::string nl = "# non-linear matter power spectrum P_nl(k, z), halofit (Takahashi et al. 2012)\n" + header;
    for (double kk : k) {
      nl += number(kk);
      for (std::size_t j = 0; j < spectra.size(); ++j) nl += " " + number(spectra[j](kk, linear(kk, growth_at[j])));
      nl += "\n";
    }
    write_file_atomically(dir / "power_nonlinear.txt", nl);
    report.files.push_back("power_nonlinear.txt");
  }
  report.add("sigma8 of the linear spectrum", linear.sigma8());
  report.add("chi(z=1) [Mpc]", background.comoving_radial_distance_z(1.0));
  report.add("D(z=1)", growth.growth_factor_z(1.0));
  return report;
}

}  // namespace orrery::cosmology
