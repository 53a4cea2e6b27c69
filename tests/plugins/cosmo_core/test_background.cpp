// Background<S> (cosmo_core/background.hpp) against CCL's distance benchmarks
// (../shared/validation/ccl, README there), gradients and Hessians against
// finite differences, the inverse a(χ), and the errors it throws.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "plugins/cosmo_core/validation_data.hpp"
#include "cosmo_core/background.hpp"

namespace {

using orrery::test::ccl_model;
using orrery::test::read_rows;

using orrery::cosmo::Background;
using orrery::cosmo::CosmologyParams;
using orrery::cosmo::Dual;
using orrery::cosmo::kParamCount;
using orrery::cosmo::Param;
using orrery::cosmo::value_of;
using D8 = Dual<double, kParamCount>;



template <typename S>
CosmologyParams<S> convert(const CosmologyParams<double>& p) {
  CosmologyParams<S> q;
  for (int i = 0; i < kParamCount; ++i) q[static_cast<Param>(i)] = S(p[static_cast<Param>(i)]);
  q.T_cmb = p.T_cmb;
  q.N_eff = p.N_eff;
  return q;
}

/// The parameters as independent variables 0..7 of Dual<double, 8>.
CosmologyParams<D8> seeded(const CosmologyParams<double>& p) {
  CosmologyParams<D8> q = convert<D8>(p);
  for (int i = 0; i < kParamCount; ++i) q[static_cast<Param>(i)] = D8::variable(p[static_cast<Param>(i)], i);
  return q;
}

/// Sixth-order central difference of f along parameter i, step h.
double fd_param(const std::function<double(const CosmologyParams<double>&)>& f, const CosmologyParams<double>& p,
                int i, double h) {
  auto at = [&](double offset) {
    CosmologyParams<double> q = p;
    q[static_cast<Param>(i)] += offset;
    return f(q);
  };
  return (at(3 * h) - 9 * at(2 * h) + 45 * at(h) - 45 * at(-h) + 9 * at(-2 * h) - at(-3 * h)) / (60 * h);
}

/// Step for parameter i: small against its value and scale.
double step(const CosmologyParams<double>& p, int i) {
  return 1e-3 * std::max(0.1, std::abs(p[static_cast<Param>(i)]));
}

/// Largest |ad - fd| / (|fd| + 1e-4 |f|) over the 8 parameters: relative
/// for derivatives above 1e-4 |f| per unit parameter; below that (n_s and
/// sigma8 do not enter; wa barely matters at high z) the finite differences
/// are noise-limited (~1e-11 |f|) and only the absolute size is checked.
template <typename Quantity>
double gradient_error(const CosmologyParams<double>& p, Quantity quantity) {
  const Background<D8> bd(seeded(p));
  const D8 ad = quantity(bd);
  const std::function<double(const CosmologyParams<double>&)> f = [&](const CosmologyParams<double>& q) {
    return quantity(Background<double>(q));
  };
  const double value = f(p);
  CHECK(ad.val == Approx(value).epsilon(1e-14));
  double worst = 0.0;
  for (int i = 0; i < kParamCount; ++i) {
    const double fd = fd_param(f, p, i, step(p, i));
    const double err = std::abs(ad.d[static_cast<std::size_t>(i)] - fd) / (std::abs(fd) + 1e-4 * std::abs(value));
    INFO("d/d" << orrery::cosmo::kParamNames[static_cast<std::size_t>(i)] << ": dual " << ad.d[static_cast<std::size_t>(i)]
               << ", finite difference " << fd);
    CHECK(err <= 1e-6);
    worst = std::max(worst, err);
  }
  return worst;
}

/// The cosmologies of the gradient checks: ΛCDM with radiation, w0wa open
/// with radiation, w0wa closed without, and exactly flat w0wa (where D_M's
/// derivative in Ω_k comes from the series branch).
std::vector<CosmologyParams<double>> gradient_cosmologies() {
  std::vector<CosmologyParams<double>> out;
  CosmologyParams<double> p = ccl_model(1, true);
  out.push_back(p);
  p.omega_k = 0.05;
  p.w0 = -0.85;
  p.wa = 0.2;
  p.h = 0.68;
  out.push_back(p);
  p = ccl_model(5, false);
  p.w0 = -1.1;
  p.wa = -0.3;
  out.push_back(p);
  p = ccl_model(3, true);
  p.omega_k = 0.0;
  out.push_back(p);
  return out;
}

}  // namespace

TEST_CASE("Comoving radial distance matches CCL models 1-5 (z = 1..5) within rtol 1e-4", "[background]") {
  const auto rows = read_rows(orrery::test::kCclDir / "chi_model1-5.txt");
  double worst = 0.0;
  for (int model = 1; model <= 5; ++model) {
    const auto p = ccl_model(model);
    const Background<double> bg(p);
    for (const auto& row : rows) {
      if (row[0] == 0.0) continue;  // z = 0: χ = 0
      const double ours = bg.comoving_radial_distance_z(row[0]) * p.h;  // Mpc -> Mpc/h
      const double ref = row[static_cast<std::size_t>(model)];
      INFO("model " << model << ", z = " << row[0] << ": ours " << ours << " Mpc/h, CCL " << ref);
      CHECK(std::abs(ours - ref) <= 1e-12 + 1e-4 * std::abs(ref));
      worst = std::max(worst, std::abs(ours / ref - 1.0));
    }
  }
  INFO("chi_model1-5 max relative error " << worst);
  CHECK(worst < 1e-6);  // observed ~1.2e-7: the file's 7 significant digits
}

TEST_CASE("Comoving radial distance matches CCL models 1-3 at z = 10..1000 within rtol 1e-4", "[background]") {
  const auto rows = read_rows(orrery::test::kCclDir / "chi_hiz_model1-3.txt");
  double worst = 0.0;
  for (int model = 1; model <= 3; ++model) {
    const auto p = ccl_model(model);
    const Background<double> bg(p);
    for (const auto& row : rows) {
      const double ours = bg.comoving_radial_distance_z(row[0]) * p.h;
      const double ref = row[static_cast<std::size_t>(model)];
      INFO("model " << model << ", z = " << row[0] << ": ours " << ours << " Mpc/h, CCL " << ref);
      CHECK(std::abs(ours - ref) <= 1e-12 + 1e-4 * std::abs(ref));
      // Also through the scale-factor entry point.
      CHECK(bg.comoving_radial_distance(1.0 / (1.0 + row[0])) * p.h == Approx(ours).epsilon(1e-12));
      worst = std::max(worst, std::abs(ours / ref - 1.0));
    }
  }
  INFO("chi_hiz_model1-3 max relative error " << worst);
  CHECK(worst < 1e-6);
}

TEST_CASE("Distance modulus matches CCL models 1-5", "[background]") {
  const auto rows = read_rows(orrery::test::kCclDir / "dm_model1-5.txt");
  double worst_radiation = 0.0, worst_free = 0.0;
  for (int model = 1; model <= 5; ++model) {
    const Background<double> with_radiation(ccl_model(model, true));
    const Background<double> radiation_free(ccl_model(model, false));
    for (const auto& row : rows) {
      if (row[0] == 0.0) continue;  // -inf at z = 0
      const double ref = row[static_cast<std::size_t>(model)];
      const double mu_r = with_radiation.distance_modulus_z(row[0]);
      const double mu_0 = radiation_free.distance_modulus_z(row[0]);
      INFO("model " << model << ", z = " << row[0] << ": with radiation " << mu_r << ", radiation-free " << mu_0
                    << ", CCL " << ref);
      // CCL's own rule (rtol 1e-3, atol 1e-3 mag) and the README's ≤ 5e-5 mag
      // with radiation; 1e-3 mag for the radiation-free model.
      CHECK(std::abs(mu_r - ref) <= 1e-3 + 1e-3 * std::abs(ref));
      CHECK(std::abs(mu_r - ref) <= 1e-4);
      CHECK(std::abs(mu_0 - ref) <= 1e-3);
      // The same through the scale-factor entry point.
      CHECK(with_radiation.distance_modulus(1.0 / (1.0 + row[0])) == Approx(mu_r).epsilon(1e-13));
      worst_radiation = std::max(worst_radiation, std::abs(mu_r - ref));
      worst_free = std::max(worst_free, std::abs(mu_0 - ref));
    }
  }
  INFO("dm_model1-5 max |error| with radiation " << worst_radiation << " mag, radiation-free " << worst_free
                                                 << " mag");
  CHECK(worst_radiation < 1e-4);
}

TEST_CASE("Distances are consistent with each other and with the analytic flat matter-only case", "[background]") {
  {
    // Einstein-de Sitter: χ = 2 χ_H (1 - 1/sqrt(1+z)), E = a^-3/2.
    CosmologyParams<double> eds;
    eds.omega_c = 0.95;
    eds.omega_b = 0.05;
    eds.T_cmb = 0.0;
    eds.N_eff = 0.0;
    const Background<double> bg(eds);
    CHECK(bg.omega_de() == Approx(0.0).margin(1e-15));
    CHECK(bg.hubble_distance() == Approx(299792.458 / 70.0).epsilon(1e-15));
    double worst = 0.0;
    for (double z : {1e-8, 1e-4, 0.01, 0.3, 1.0, 2.5, 10.0, 1e3, 1e5}) {
      const double exact = 2.0 * bg.hubble_distance() * (1.0 - 1.0 / std::sqrt(1.0 + z));
      worst = std::max(worst, std::abs(bg.comoving_radial_distance_z(z) / exact - 1.0));
      const double a = 1.0 / (1.0 + z);
      CHECK(bg.E(a) == Approx(std::pow(a, -1.5)).epsilon(1e-14));
      CHECK(bg.H(a) == Approx(70.0 * std::pow(a, -1.5)).epsilon(1e-14));
      CHECK(bg.angular_diameter_distance_z(z) == Approx(bg.comoving_radial_distance_z(z) / (1.0 + z)).epsilon(1e-14));
      CHECK(bg.luminosity_distance_z(z) == Approx(bg.comoving_radial_distance_z(z) * (1.0 + z)).epsilon(1e-14));
    }
    INFO("Einstein-de Sitter max relative error " << worst);
    CHECK(worst < 1e-8);
  }

  // Curved: D_M = χ_H/sqrt(Ω_k) sinh(sqrt(Ω_k) χ/χ_H), and sin for Ω_k < 0.
  for (double ok : {0.3, -0.3, 1e-9}) {
    CosmologyParams<double> p = ccl_model(1, true);
    p.omega_k = ok;
    const Background<double> b(p);
    for (double z : {0.5, 3.0, 1000.0}) {
      const double chi = b.comoving_radial_distance_z(z);
      const double r = std::sqrt(std::abs(ok)) * chi / b.hubble_distance();
      const double dm = b.hubble_distance() / std::sqrt(std::abs(ok)) * (ok > 0 ? std::sinh(r) : std::sin(r));
      INFO("omega_k = " << ok << ", z = " << z);
      CHECK(b.transverse_comoving_distance_z(z) == Approx(dm).epsilon(1e-13));
    }
  }

  // Batch evaluation equals the one-by-one evaluation.
  const Background<double> b(ccl_model(4, true));
  std::vector<double> z(1000), chi(1000);
  for (std::size_t i = 0; i < z.size(); ++i) z[i] = 1e-3 * static_cast<double>(i * i);
  b.comoving_radial_distance_z(z, chi);
  for (std::size_t i = 0; i < z.size(); ++i) CHECK(chi[i] == b.comoving_radial_distance_z(z[i]));
  // Radiation density: Ω_γ h² = 2.4728e-5 for T = 2.7255 K (Fixsen 2009 / Planck convention).
  CHECK(orrery::cosmo::omega_gamma_h2(2.7255) == Approx(2.4728e-5).epsilon(1e-4));
}

TEST_CASE("Gradients of distances w.r.t. all 8 parameters match finite differences", "[background][gradient]") {
  double worst = 0.0;
  for (const auto& p : gradient_cosmologies()) {
    for (double z : {0.05, 1.0, 3.0, 1100.0}) {
      INFO("omega_k = " << p.omega_k << ", w0 = " << p.w0 << ", wa = " << p.wa << ", T_cmb = " << p.T_cmb
                        << ", z = " << z);
      worst = std::max(worst, gradient_error(p, [z](const auto& bg) { return bg.comoving_radial_distance_z(z); }));
      worst = std::max(worst, gradient_error(p, [z](const auto& bg) { return bg.transverse_comoving_distance_z(z); }));
      worst = std::max(worst, gradient_error(p, [z](const auto& bg) { return bg.distance_modulus_z(z); }));
      const double a = 1.0 / (1.0 + z);
      worst = std::max(worst, gradient_error(p, [a](const auto& bg) { return bg.H(a); }));
      worst = std::max(worst, gradient_error(p, [a](const auto& bg) { return bg.angular_diameter_distance(a); }));
    }
  }
  INFO("distance gradients: max relative error " << worst);
  CHECK(worst < 1e-6);
}

TEST_CASE("Hessian of the comoving distance through nested Duals matches finite differences of the gradient",
          "[background][gradient]") {
  using DD8 = Dual<D8, kParamCount>;
  CosmologyParams<double> p = ccl_model(4, true);
  CosmologyParams<DD8> q;
  for (int i = 0; i < kParamCount; ++i) {
    DD8 v(D8::variable(p[static_cast<Param>(i)], i));
    v.d[static_cast<std::size_t>(i)] = D8(1.0);
    q[static_cast<Param>(i)] = v;
  }
  q.T_cmb = p.T_cmb;
  q.N_eff = p.N_eff;
  const double z = 1.5;
  const DD8 chi = Background<DD8>(q).transverse_comoving_distance_z(z);
  double worst = 0.0;
  for (int j = 0; j < kParamCount; ++j) {
    for (int i = 0; i < kParamCount; ++i) {
      const std::function<double(const CosmologyParams<double>&)> gi = [&](const CosmologyParams<double>& r) {
        return Background<D8>(seeded(r)).transverse_comoving_distance_z(z).d[static_cast<std::size_t>(i)];
      };
      const double fd = fd_param(gi, p, j, step(p, j));
      const double ad = chi.d[static_cast<std::size_t>(i)].d[static_cast<std::size_t>(j)];
      INFO("d2/d" << i << "d" << j << ": dual " << ad << ", finite difference " << fd);
      const double err = std::abs(ad - fd) / (std::abs(fd) + 1e-4 * value_of(chi));
      CHECK(err <= 1e-6);
      worst = std::max(worst, err);
    }
  }
  INFO("Hessian max relative error " << worst);
  CHECK(worst < 1e-6);
}

TEST_CASE("scale_factor_of_chi inverts chi(a) with exact derivatives", "[background][inverse]") {
  for (const auto& p : gradient_cosmologies()) {
    const Background<double> bg(p);
    CHECK(bg.scale_factor_of_chi(0.0) == 1.0);
    double worst = 0.0;
    for (double lna = 0.0; lna > std::log(bg.a_min()); lna -= 0.0731) {
      const double a = std::exp(lna);
      const double back = bg.scale_factor_of_chi(bg.comoving_radial_distance(a));
      worst = std::max(worst, std::abs(back / a - 1.0));
    }
    CHECK(bg.scale_factor_of_chi(bg.comoving_radial_distance(bg.a_min())) == Approx(bg.a_min()).epsilon(1e-12));
    // Conditioning: δa/a = δχ / (a dχ/da) grows to ~1e-12 at a = 1e-6.
    INFO("round trip max relative error " << worst);
    CHECK(worst < 1e-10);

    // a(χ(a0; θ); θ) = a0 for all θ: zero gradient.
    const Background<D8> bd(seeded(p));
    for (double a0 : {0.9, 0.3, 1e-3}) {
      const D8 a = bd.scale_factor_of_chi(bd.comoving_radial_distance(a0));
      CHECK(a.val == Approx(a0).epsilon(1e-12));
      for (int i = 0; i < kParamCount; ++i) CHECK(std::abs(a.d[static_cast<std::size_t>(i)]) < 1e-10);
    }
  }
  // da/dχ = -1/(dχ/da) = -a² E / χ_H, and d²a/dχ² against finite differences.
  const auto p = ccl_model(2, true);
  using D1 = Dual<double, 1>;
  using DD1 = Dual<D1, 1>;
  const Background<DD1> b2(convert<DD1>(p));
  const Background<double> b(p);
  for (double chi : {10.0, 1000.0, 5000.0, 12000.0}) {
    DD1 x(D1::variable(chi, 0));
    x.d[0] = D1(1.0);
    const DD1 a = b2.scale_factor_of_chi(x);
    const double av = value_of(a);
    INFO("chi = " << chi << " Mpc, a = " << av);
    // The interpolant's slope is within its O(Δa³) error of the exact one.
    CHECK(a.val.d[0] == Approx(-av * av * b.E(av) / b.hubble_distance()).epsilon(1e-6));
    // Step small enough to stay inside one cell: the Hermite interpolant is C¹,
    // its second derivative jumps at nodes.
    const double h = 1e-5 * chi;
    auto da = [&](double c) {
      return Background<D1>(convert<D1>(p)).scale_factor_of_chi(D1::variable(c, 0)).d[0];
    };
    const double fd = (da(chi - 2 * h) - 8 * da(chi - h) + 8 * da(chi + h) - da(chi + 2 * h)) / (12 * h);
    CHECK(a.d[0].d[0] == Approx(fd).epsilon(1e-6));
  }
}

TEST_CASE("Unphysical parameters and out-of-range arguments throw orrery::Error", "[background][errors]") {
  using orrery::Error;
  using Catch::Matchers::Contains;
  auto build = [](CosmologyParams<double> p) { return Background<double>(p); };
  CosmologyParams<double> p = ccl_model(1, true);

  p.h = 0.0;
  CHECK_THROWS_WITH(build(p), Contains("h must be > 0") && Contains("h = 0"));
  p.h = -0.7;
  CHECK_THROWS_AS(build(p), Error);
  p = ccl_model(1, true);
  p.omega_c = -0.05;
  CHECK_THROWS_WITH(build(p), Contains("Omega_m") && Contains("omega_c = -0.05"));
  p = ccl_model(1, true);
  p.w0 = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(build(p), Contains("w0") && Contains("not finite"));
  p = ccl_model(1, true);
  p.T_cmb = -1.0;
  CHECK_THROWS_WITH(build(p), Contains("T_cmb"));
  p = ccl_model(1, true);
  p.N_eff = -1.0;
  CHECK_THROWS_WITH(build(p), Contains("N_eff"));
  // Strongly closed: E² turns negative in the past (a bounce).
  p = ccl_model(1, false);
  p.omega_k = -3.0;
  CHECK_THROWS_WITH(build(p), Contains("E^2") && Contains("omega_k = -3"));
  // Closed, expanding, but χ passes π χ_H/sqrt(|Ω_k|).
  p = ccl_model(1, false);
  p.omega_k = -0.9;
  CHECK_THROWS_WITH(build(p), Contains("closed universe") && Contains("omega_k = -0.9"));
  // Accuracy settings.
  CHECK_THROWS_AS(Background<double>(ccl_model(1), {0.0, 32}), Error);
  CHECK_THROWS_AS(Background<double>(ccl_model(1), {1e-3, 1}), Error);

  const Background<double> bg(ccl_model(1, true));
  CHECK_THROWS_WITH(bg.comoving_radial_distance(1.5), Contains("a = 1.5"));
  CHECK_THROWS_AS(bg.comoving_radial_distance(1e-9), Error);
  CHECK_THROWS_AS(bg.comoving_radial_distance(std::numeric_limits<double>::quiet_NaN()), Error);
  CHECK_THROWS_WITH(bg.comoving_radial_distance_z(-0.5), Contains("z = -0.5"));
  CHECK_THROWS_AS(bg.comoving_radial_distance_z(1e7), Error);
  CHECK_THROWS_AS(bg.scale_factor_of_chi(-1.0), Error);
  CHECK_THROWS_AS(bg.scale_factor_of_chi(1e6), Error);
  CHECK_THROWS_AS(bg.E(0.0), Error);
  std::vector<double> z = {0.5, -1.0}, out(2);
  CHECK_THROWS_AS(bg.comoving_radial_distance_z(z, out), Error);
  std::vector<double> short_out(1);
  CHECK_THROWS_AS(bg.comoving_radial_distance_z(z, short_out), Error);
}
