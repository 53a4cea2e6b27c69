// cosmology.limber_cl: the prediction against cosmo_core called directly,
// analytic scalings, the exact Jacobian against finite differences, the
// Gaussian covariance against the Knox formula, parameter look-up, and
// unphysical input (configuration errors up front, orrery::Error for θ).
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>

#include "cosmo_core/background.hpp"
#include "cosmo_core/growth.hpp"
#include "cosmo_core/halofit.hpp"
#include "cosmo_core/limber.hpp"
#include "cosmology_fixtures.hpp"
#include "data_files.hpp"
#include "tracer_options.hpp"

using orrery::ValueTable;
using orrery::cosmology::LimberClModel;
using orrery::test::config_error_message;
using orrery::test::real_list;
namespace ct = orrery::cosmology::test;
namespace cosmo = orrery::cosmo;
using ct::Declared;

namespace {

Eigen::VectorXd evaluate(const LimberClModel& model, const Eigen::VectorXd& theta) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(model.output_size()));
  model.evaluate(theta, out);
  return out;
}

std::string model_error(ValueTable options, orrery::ParameterSpace space) {
  return config_error_message([&] { (void)ct::build_model(std::move(options), std::move(space)); });
}

ValueTable with(ValueTable options, const std::string& key, orrery::Value value) {
  for (auto& [k, v] : options)
    if (k == key) {
      v = std::move(value);
      return options;
    }
  options.emplace_back(key, std::move(value));
  return options;
}

}  // namespace

TEST_CASE("limber_cl equals cosmo_core's Limber spectra, in pair-major order", "[cosmology][model]") {
  const auto model = ct::build_model(ct::small_model_options(true), ct::fisher_space());
  const Eigen::Index n_ell = model->n_ell();
  REQUIRE(model->n_pairs() == 6);  // 3 tracers
  REQUIRE(model->output_size() == 36);
  const auto labels = model->output_labels();
  CHECK(labels[0] == "C_ell[shear0,shear0](ell=20)");
  CHECK(labels[static_cast<std::size_t>(2 * n_ell + n_ell - 1)] == "C_ell[shear0,counts0](ell=1000)");

  Eigen::VectorXd theta(4);
  theta << 0.27, 0.82, -0.9, 0.1;
  const Eigen::VectorXd out = evaluate(*model, theta);

  // The same spectra straight from cosmo_core, with the model's defaults for
  // the parameters the analysis does not declare.
  cosmo::CosmologyParams<double> p;
  p.omega_c = 0.27;
  p.sigma8 = 0.82;
  p.w0 = -0.9;
  p.wa = 0.1;
  p.omega_b = 0.0485;
  p.h = 0.682;
  p.n_s = 0.971;
  const cosmo::Background<double> bg(p);
  const cosmo::Growth<double> growth(bg);
  const cosmo::LinearPower<double> linear(p, cosmo::TransferModel::eisenstein_hu);
  cosmo::LimberSettings settings;
  settings.z_intervals = 128;
  const auto tracers = orrery::cosmology::parse_tracers(
      orrery::Options(orrery::Value(ValueTable{{"tracers", ct::shear_tracers(2, true)}}), "x"), "tracers");
  const cosmo::Limber<double> limber(bg, growth, tracers.tracers, settings);
  std::vector<double> d;
  std::vector<cosmo::HalofitSpectrum<double>> nl;
  const cosmo::Halofit<double> halofit(linear);
  for (double z : limber.z_grid()) {
    d.push_back(growth.growth_factor(1.0 / (1.0 + z)));
    nl.push_back(halofit.at(d.back(), cosmo::halofit_background(bg, 1.0 / (1.0 + z))));
  }
  const Eigen::MatrixXd ref = limber.spectra(model->ell().ell, [&](double k, std::size_t i) { return nl[i](k, linear(k, d[i])); });
  for (Eigen::Index pair = 0; pair < 6; ++pair)
    for (Eigen::Index l = 0; l < n_ell; ++l) CHECK(out[pair * n_ell + l] == Approx(ref(pair, l)).epsilon(1e-12));
}

TEST_CASE("linear C_ell scale as sigma8^2 and react to h only through declared parameters", "[cosmology][model]") {
  const auto model = ct::build_model(ct::small_model_options(true, "none"),
                                     ct::space({{"sigma8", 0.8}, {"x", 1.0}, {"h", 0.7, Declared::fixed}}));
  REQUIRE(model->parameter_index(cosmo::Param::sigma8) == 0);
  REQUIRE(model->parameter_index(cosmo::Param::h) == 2);
  REQUIRE(model->parameter_index(cosmo::Param::omega_c) == -1);
  Eigen::VectorXd a(3), b(3);
  a << 0.8, 1.0, 0.7;
  b << 0.9, -3.0, 0.7;  // x is not a model parameter
  const Eigen::VectorXd ca = evaluate(*model, a), cb = evaluate(*model, b);
  for (Eigen::Index i = 0; i < ca.size(); ++i) CHECK(cb[i] / ca[i] == Approx(0.81 / 0.64).epsilon(1e-12));
  b << 0.8, 1.0, 0.75;
  CHECK((evaluate(*model, b) - ca).norm() > 1e-3 * ca.norm());
}

TEST_CASE("the Jacobian is the exact derivative of evaluate()", "[cosmology][model][jacobian]") {
  // All eight cosmological parameters declared, plus one the model ignores.
  const auto parameters = ct::space({{"omega_c", 0.26},
                                     {"omega_b", 0.045},
                                     {"h", 0.68},
                                     {"n_s", 0.965},
                                     {"sigma8", 0.81},
                                     {"omega_k", 0.01},
                                     {"w0", -0.95},
                                     {"wa", 0.05},
                                     {"unrelated", 3.0}});
  const auto model = ct::build_model(ct::small_model_options(true), parameters);
  Eigen::VectorXd theta(9);
  theta << 0.26, 0.045, 0.68, 0.965, 0.81, 0.01, -0.95, 0.05, 3.0;
  const auto n = static_cast<Eigen::Index>(model->output_size());
  Eigen::VectorXd out(n);
  Eigen::MatrixXd jac = Eigen::MatrixXd::Constant(n, 9, 42.0);
  model->evaluate_with_jacobian(theta, out, jac);
  const Eigen::VectorXd value = evaluate(*model, theta);
  for (Eigen::Index i = 0; i < n; ++i) CHECK(out[i] == Approx(value[i]).epsilon(1e-13));
  CHECK(jac.col(8).isZero(0.0));
  double worst = 0.0;
  for (Eigen::Index c = 0; c < 8; ++c) {
    const double h = 2e-3 * std::max(0.05, std::abs(theta[c]));
    const Eigen::VectorXd fd = ct::model_derivative(*model, theta, c, h);
    const double scale = jac.col(c).cwiseAbs().maxCoeff();
    for (Eigen::Index i = 0; i < n; ++i) {
      INFO("parameter " << c << ", entry " << i << ": " << jac(i, c) << " vs " << fd[i]);
      const double err = std::abs(jac(i, c) - fd[i]) / (std::abs(fd[i]) + 1e-6 * scale);
      worst = std::max(worst, err);
      CHECK(err < 1e-6);
    }
  }
  WARN("worst relative difference, exact Jacobian vs 4th-order finite differences: " << worst);
}

TEST_CASE("with four or fewer declared parameters the Jacobian is exact too", "[cosmology][model][jacobian]") {
  // Dual<double, 4> path; h fixed still gets its column.
  const auto parameters = ct::space({{"omega_c", 0.25}, {"sigma8", 0.8}, {"h", 0.7, Declared::fixed}, {"wa", 0.1}});
  const auto model = ct::build_model(ct::small_model_options(true), parameters);
  const Eigen::VectorXd theta = model->fiducial_point();
  const auto n = static_cast<Eigen::Index>(model->output_size());
  Eigen::VectorXd out(n);
  Eigen::MatrixXd jac(n, 4);
  model->evaluate_with_jacobian(theta, out, jac);
  for (Eigen::Index c = 0; c < 4; ++c) {
    const Eigen::VectorXd fd = ct::model_derivative(*model, theta, c, 2e-3 * std::max(0.05, std::abs(theta[c])));
    const double scale = jac.col(c).cwiseAbs().maxCoeff();
    CHECK(scale > 0.0);
    for (Eigen::Index i = 0; i < n; ++i) CHECK(std::abs(jac(i, c) - fd[i]) < 1e-6 * (std::abs(fd[i]) + 1e-6 * scale));
  }
}

TEST_CASE("a tabulated linear P(k) reproduces the analytic one it was made from", "[cosmology][model][power_table]") {
  // Eisenstein & Hu at the model's default cosmology, written in h units as CAMB would.
  cosmo::CosmologyParams<double> p;
  p.omega_c = 0.25;
  p.omega_b = 0.0485;
  p.h = 0.682;
  p.n_s = 0.971;
  p.sigma8 = 0.8;
  const cosmo::LinearPower<double> linear(p, cosmo::TransferModel::eisenstein_hu);
  const ct::ScratchDir dir("power-table");
  std::string table = "# k [h/Mpc]  P [(Mpc/h)^3]\n";
  for (int i = 0; i <= 3000; ++i) {
    const double k_h = 1e-5 * std::pow(1e8, i / 3000.0);
    table += orrery::cosmology::table_number(k_h) + " " + orrery::cosmology::table_number(linear.power_h_units(k_h)) + "\n";
  }
  ct::write_text(dir / "pk.txt", table);

  const auto parameters = ct::space({{"omega_c", 0.25}, {"sigma8", 0.8}});
  const auto analytic = ct::build_model(ct::small_model_options(false, "none"), parameters);
  ValueTable options = with(ct::small_model_options(false, "none"), "power_table", (dir / "pk.txt").string());
  const auto tabulated = ct::build_model(options, parameters);
  const Eigen::VectorXd theta = analytic->fiducial_point();
  const Eigen::VectorXd a = evaluate(*analytic, theta), t = evaluate(*tabulated, theta);
  for (Eigen::Index i = 0; i < a.size(); ++i) CHECK(t[i] == Approx(a[i]).epsilon(2e-4));

  // Rescaled to sigma8: d C / d sigma8 = 2 C / sigma8 exactly for linear spectra.
  const auto n = static_cast<Eigen::Index>(tabulated->output_size());
  Eigen::VectorXd out(n);
  Eigen::MatrixXd jac(n, 2);
  tabulated->evaluate_with_jacobian(theta, out, jac);
  for (Eigen::Index i = 0; i < n; ++i) CHECK(jac(i, 1) == Approx(2.0 * out[i] / 0.8).epsilon(1e-10));

  CHECK_THAT(model_error(with(options, "power_table", (dir / "missing.txt").string()), parameters),
             Catch::Contains("option 'power_table'"));
  ct::write_text(dir / "bad.txt", "0.1 1.0\n0.05 2.0\n");
  CHECK_THAT(model_error(with(options, "power_table", (dir / "bad.txt").string()), parameters),
             Catch::Contains("option 'power_table'") && Catch::Contains("increase strictly"));
}

TEST_CASE("the covariance is the Knox formula with shape noise", "[cosmology][model][covariance]") {
  ValueTable options = ct::small_model_options();
  options = with(options, "tracers",
                 orrery::Value(orrery::ValueList{orrery::Value(ValueTable{
                     {"kind", "shear"}, {"nz", ValueTable{{"smail", real_list({2.0, 1.5, 0.3})}}}, {"n_eff", 20.0}, {"sigma_e", 0.3}})}));
  const auto model = ct::build_model(options, ct::fisher_space());
  const Eigen::VectorXd theta = model->fiducial_point();
  const Eigen::VectorXd cl = evaluate(*model, theta);
  const auto n = cl.size();
  Eigen::MatrixXd cov(n, n);
  model->covariance(theta, cov);
  const double noise = 0.09 / cosmo::per_arcmin2_to_per_sr(20.0);
  for (Eigen::Index l = 0; l < n; ++l) {
    const double ell = model->ell().ell[static_cast<std::size_t>(l)];
    const double modes = (2 * ell + 1) * model->ell().delta_ell[static_cast<std::size_t>(l)] * 0.3;
    CHECK(cov(l, l) == Approx(2 * std::pow(cl[l] + noise, 2) / modes).epsilon(1e-12));
    for (Eigen::Index m = 0; m < n; ++m)
      if (m != l) CHECK(cov(l, m) == 0.0);
  }
}

TEST_CASE("undeclared parameters take the model's options, and fiducials come from the parameter space", "[cosmology][model]") {
  ValueTable options = with(ct::small_model_options(), "h", 0.7);
  const auto model = ct::build_model(options, ct::space({{"omega_c", 0.3, Declared::truth},
                                                          {"sigma8", 0.0, Declared::prior_only},
                                                          {"w0", -0.9, Declared::fixed},
                                                          {"other", 5.0}}));
  const Eigen::VectorXd fid = model->fiducial_point();
  CHECK(fid[0] == 0.3);    // truth
  CHECK(fid[1] == 0.801);  // prior only: the model's option value
  CHECK(fid[2] == -0.9);   // fixed value
  CHECK(fid[3] == 5.0);
  const auto p = model->cosmology_at(fid);
  CHECK(p.h == 0.7);
  CHECK(p.omega_b == 0.0485);
  CHECK(p.w0 == -0.9);
}

TEST_CASE("a misspelt cosmological parameter draws a warning", "[cosmology][model]") {
  const auto model = ct::build_model(ct::small_model_options(), ct::space({{"sigma_8", 0.8}}));
  bool warned = false;
  for (const auto& [level, message] : model.context->log().messages())
    warned = warned || (level == orrery::LogLevel::Warning && message.find("did you mean 'sigma8'") != std::string::npos);
  CHECK(warned);
}

TEST_CASE("unphysical fiducial cosmologies are configuration errors", "[cosmology][model][errors]") {
  const ValueTable options = ct::small_model_options();
  CHECK_THAT(model_error(options, ct::space({{"h", -0.7}})),
             Catch::Contains("parameter 'h'") && Catch::Contains("h must be > 0"));
  CHECK_THAT(model_error(options, ct::space({{"sigma8", -0.8, Declared::fixed}})),
             Catch::Contains("fixed value -0.8") && Catch::Contains("sigma8 must be > 0"));
  CHECK_THAT(model_error(options, ct::space({{"omega_c", 0.0}, {"omega_b", 0.0}})),
             Catch::Contains("Omega_m = omega_c + omega_b must be > 0"));
  CHECK_THAT(model_error(options, ct::space({{"omega_k", -0.8}})),
             Catch::Contains("fiducial cosmology is unphysical") && Catch::Contains("closed universe") &&
                 Catch::Contains("omega_k = -0.8 (fiducial in [parameters])"));
  CHECK_THAT(model_error(options, ct::space({{"omega_k", -3.0}})), Catch::Contains("does not expand"));
  CHECK_THAT(model_error(with(options, "h", -1.0), ct::space({})), Catch::Contains("option 'h'"));
  CHECK_THAT(model_error(with(options, "z_intervals", 127), ct::space({})), Catch::Contains("even"));
  CHECK_THAT(model_error(options, [] {
               orrery::ParameterSpace s;
               orrery::ParameterBlock b;
               b.name = "sigma8";
               b.shape = {2, 2};
               s.add(b);
               return s;
             }()),
             Catch::Contains("'sigma8' is a field"));
}

TEST_CASE("unphysical parameter values make evaluation throw orrery::Error", "[cosmology][model][errors]") {
  const auto model = ct::build_model(ct::small_model_options(),
                                     ct::space({{"omega_c", 0.25}, {"omega_b", 0.05}, {"h", 0.7}, {"sigma8", 0.8}, {"omega_k", 0.0}}));
  const auto n = static_cast<Eigen::Index>(model->output_size());
  Eigen::VectorXd out(n);
  Eigen::MatrixXd jac(n, 5);
  const Eigen::VectorXd good = model->fiducial_point();
  auto bad = [&](Eigen::Index i, double v, const char* message) {
    Eigen::VectorXd theta = good;
    theta[i] = v;
    CHECK_THROWS_AS(model->evaluate(theta, out), orrery::Error);
    CHECK_THROWS_WITH(model->evaluate(theta, out), Catch::Contains(message));
    CHECK_THROWS_AS(model->evaluate_with_jacobian(theta, out, jac), orrery::Error);
  };
  bad(2, 0.0, "h must be > 0");
  bad(3, -0.8, "sigma8 must be > 0");
  bad(0, -0.05, "omega_c must be >= 0");
  bad(0, std::nan(""), "must be finite");
  bad(4, -0.8, "closed universe");  // χ reaches the antipode: the transverse distance is undefined
  bad(4, -3.0, "does not expand");
  Eigen::VectorXd theta = good;
  theta[0] = -0.05;
  theta[1] = 0.03;
  CHECK_THROWS_WITH(model->evaluate(theta, out), Catch::Contains("omega_c must be >= 0"));
  CHECK_THROWS_WITH(model->evaluate(Eigen::VectorXd::Zero(2), out), Catch::Contains("expected a parameter vector of 5"));
  CHECK_NOTHROW(model->evaluate(good, out));
}

TEST_CASE("evaluation timings of the LSST-Y1 5-bin configuration", "[.timing]") {
  ValueTable options{{"tracers", ct::shear_tracers(5)},
                     {"ell", orrery::ValueTable{{"log", real_list({20, 2000, 50})}}},
                     {"f_sky", 0.436}};
  const auto model = ct::build_model(options, ct::fisher_space());
  const Eigen::VectorXd theta = model->fiducial_point();
  const auto n = static_cast<Eigen::Index>(model->output_size());
  Eigen::VectorXd out(n);
  Eigen::MatrixXd jac(n, theta.size());
  auto time = [](auto&& f, int repeats) {
    f();
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      f();
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
  };
  const double value = time([&] { model->evaluate(theta, out); }, 10);
  const double jacobian = time([&] { model->evaluate_with_jacobian(theta, out, jac); }, 5);
  // The same with all eight cosmological parameters declared (Dual<double, 8>).
  const auto all = ct::space({{"omega_c", 0.25}, {"omega_b", 0.0485}, {"h", 0.682}, {"n_s", 0.971},
                              {"sigma8", 0.8}, {"omega_k", 0.0}, {"w0", -1.0}, {"wa", 0.0}});
  const auto model8 = ct::build_model(options, all);
  const Eigen::VectorXd theta8 = model8->fiducial_point();
  Eigen::MatrixXd jac8(n, 8);
  const double jacobian8 = time([&] { model8->evaluate_with_jacobian(theta8, out, jac8); }, 5);
  WARN("LSST-Y1 5 bins, 15 pairs x 50 ell, default z_intervals, halofit (best of repeats): evaluate "
       << value * 1e3 << " ms; evaluate_with_jacobian, 4 parameters " << jacobian * 1e3 << " ms (x"
       << jacobian / value << "), 8 parameters " << jacobian8 * 1e3 << " ms (x" << jacobian8 / value << ")");
}
