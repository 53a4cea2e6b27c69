// Linear matter power: transfer functions and σ8 normalisation against CCL's
// benchmarks (../shared/validation/ccl, tolerances from its README), σ(R)
// against an independent quadrature, tabulated spectra against CLASS's σ8,
// and exact derivatives against high-order finite differences.
#include <catch2/catch.hpp>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "plugins/cosmo_core/validation_data.hpp"
#include "plugins/cosmo_core/gradient_check.hpp"
#include "cosmo_core/background.hpp"
#include "cosmo_core/dual.hpp"
#include "cosmo_core/growth.hpp"
#include "cosmo_core/linear_power.hpp"
#include "support/numerics.hpp"

using namespace orrery::cosmo;
namespace fs = std::filesystem;

namespace {
using orrery::test::read_rows;
const fs::path kValidation = ORRERY_VALIDATION_DIR;
const fs::path kCcl = kValidation / "ccl";


/// The CCL power-spectrum cosmology (README §1): no radiation in the
/// background, BBKS at T_CMB = 2.7 or Eisenstein & Hu at 2.725.
template <typename S = double>
CosmologyParams<S> ccl_params(double w0, double wa, double t_cmb) {
  CosmologyParams<S> p;
  p.omega_c = 0.25;
  p.omega_b = 0.05;
  p.h = 0.7;
  p.n_s = 0.96;
  p.sigma8 = 0.8;
  p.w0 = w0;
  p.wa = wa;
  p.T_cmb = t_cmb;
  p.N_eff = 0.0;
  return p;
}

/// Growth of the radiation-free CCL models, D(z)/D(0).
Growth<double> ccl_growth(double w0, double wa) {
  CosmologyParams<double> p = ccl_params(w0, wa, 0.0);  // T_cmb = 0, N_eff = 0: Ω_r = 0
  return Growth<double>(Background<double>(p));
}

/// CCL's k grid: 1e-3 .. 10 h/Mpc, 10 per decade. The files print k to 6
/// digits in model1_pk_eh.txt, so the exact grid is used everywhere.
double ccl_k(std::size_t row) { return std::pow(10.0, -3.0 + static_cast<double>(row) / 10.0); }

using orrery::test::derivative8;
using orrery::test::fd_step;
using orrery::test::GradientCheck;
}  // namespace

TEST_CASE("BBKS P(k, z) matches CCL's model1-3 benchmarks", "[linear_power][ccl]") {
  const std::array<std::array<double, 2>, 3> de = {{{-1.0, 0.0}, {-0.9, 0.0}, {-0.9, 0.1}}};
  for (int model = 1; model <= 3; ++model) {
    const auto [w0, wa] = de[static_cast<std::size_t>(model - 1)];
    const LinearPower<double> power(ccl_params(w0, wa, 2.7), TransferModel::bbks);
    const Growth<double> growth = ccl_growth(w0, wa);
    const auto rows = read_rows(kCcl / ("model" + std::to_string(model) + "_pk.txt"));
    REQUIRE(rows.size() == 41);
    for (int iz = 0; iz <= 5; ++iz) {
      const double d = growth.growth_factor(1.0 / (1.0 + iz));
      double worst = 0;
      for (std::size_t r = 0; r < rows.size(); ++r) {
        REQUIRE(rows[r][0] == Approx(ccl_k(r)).epsilon(1e-12));
        const double p = power.power_h_units(rows[r][0]) * d * d;
        worst = std::max(worst, std::abs(p / rows[r][1 + static_cast<std::size_t>(iz)] - 1.0));
      }
      INFO("model " << model << " z = " << iz << ": max |P/P_CCL - 1| = " << worst);
      CHECK(worst < 1e-5);
    }
  }
}

TEST_CASE("Eisenstein & Hu P(k) matches CCL at z = 0", "[linear_power][ccl]") {
  const CosmologyParams<double> p = ccl_params(-1.0, 0.0, 2.725);
  SECTION("with wiggles: within 1e-5 and within the file's 6-digit print precision") {
    const LinearPower<double> power(p, TransferModel::eisenstein_hu);
    std::ifstream in(kCcl / "model1_pk_eh.txt");
    REQUIRE(in.good());
    std::string k_text, p_text;
    std::size_t row = 0;
    double worst = 0;
    while (in >> k_text >> p_text) {
      // Both columns are printed with 6 significant digits: evaluate at the
      // exact grid k (the printed k alone is off by up to 4e-6 relative), and
      // allow the half unit in the last printed place of P.
      const double k = ccl_k(row++);
      REQUIRE(std::stod(k_text) == Approx(k).epsilon(5e-6));
      const double ref = std::stod(p_text);
      const auto dot = p_text.find('.');
      const int decimals = dot == std::string::npos ? 0 : static_cast<int>(p_text.size() - dot - 1);
      const double half_ulp = 0.5 * std::pow(10.0, -decimals);
      const double ours = power.power_h_units(k);
      worst = std::max(worst, std::abs(ours / ref - 1.0));
      CHECK(std::abs(ours - ref) <= half_ulp + 1e-6 * ref);
    }
    REQUIRE(row == 41);
    INFO("max |P/P_CCL - 1| = " << worst);
    CHECK(worst < 1e-5);
  }
  SECTION("no wiggles, all printed redshifts (CCL tests z = 0 only)") {
    const LinearPower<double> power(p, TransferModel::eisenstein_hu_nowiggle);
    const Growth<double> growth = ccl_growth(-1.0, 0.0);
    const auto rows = read_rows(kCcl / "model1_nowig_pk_eh.txt");
    REQUIRE(rows.size() == 41);
    for (int iz = 0; iz <= 5; ++iz) {
      const double d = growth.growth_factor(1.0 / (1.0 + iz));
      double worst = 0;
      for (std::size_t r = 0; r < rows.size(); ++r)
        worst = std::max(worst, std::abs(power.power_h_units(ccl_k(r)) * d * d / rows[r][1 + static_cast<std::size_t>(iz)] - 1.0));
      INFO("z = " << iz << ": max |P/P_CCL - 1| = " << worst);
      CHECK(worst < 1e-5);
    }
  }
}

TEST_CASE("k_NL matches CCL's benchmark", "[linear_power][ccl]") {
  const LinearPower<double> power(ccl_params(-1.0, 0.0, 2.7), TransferModel::bbks);
  const Growth<double> growth = ccl_growth(-1.0, 0.0);
  const auto rows = read_rows(kCcl / "kNL.txt");
  REQUIRE(rows.size() == 10);
  double worst = 0;
  for (const auto& row : rows) worst = std::max(worst, std::abs(power.k_nl(growth.growth_factor(row[0])) / row[1] - 1.0));
  INFO("max |k_NL/k_CCL - 1| = " << worst);
  CHECK(worst < 1e-5);
}

TEST_CASE("sigma(R) agrees with an independent quadrature and sigma8 round-trips", "[linear_power]") {
  for (const TransferModel model : {TransferModel::eisenstein_hu, TransferModel::eisenstein_hu_nowiggle, TransferModel::bbks}) {
    const LinearPower<double> power(ccl_params(-1.0, 0.0, 2.725), model);
    CHECK(power.sigma8() == Approx(0.8).epsilon(1e-13));
    CHECK(power.sigma_r_mpc_h(8.0) == Approx(0.8).epsilon(1e-13));
    CHECK(power.sigma_r(8.0 / 0.7) == Approx(0.8).epsilon(1e-6));
    for (const double r : {1.0, 5.0, 20.0, 100.0}) {
      // Simpson in ln k (dense, different nodes and no tail averaging).
      const auto integrand = [&](double ln_k) {
        const double k = std::exp(ln_k);
        const double w = 3.0 * (std::sin(k * r) - k * r * std::cos(k * r)) / std::pow(k * r, 3);
        return k * k * k * power(k) * w * w / (2.0 * std::numbers::pi * std::numbers::pi);
      };
      const double ln_lo = std::log(1e-5 / r), ln_hi = std::log(3e4 / r);
      const double ref = std::sqrt(orrery::test::integrate(integrand, ln_lo, ln_hi, 400000));
      INFO("model " << static_cast<int>(model) << ", R = " << r << " Mpc");
      CHECK(power.sigma_r(r) == Approx(ref).epsilon(1e-6));
    }
  }
}

TEST_CASE("a user shape is normalised like the built-in sources; bad parameters are named", "[linear_power]") {
  const CosmologyParams<double> p = ccl_params(-1.0, 0.0, 2.7);
  const LinearPower<double> bbks(p, TransferModel::bbks);
  const BbksTransfer<double> t(p);
  const LinearPower<double> custom(p, [&](double k) { return std::pow(k, p.n_s) * t.squared(k); });
  for (const double k : {1e-3, 0.1, 5.0}) CHECK(custom(k) == Approx(bbks(k)).epsilon(1e-13));
  CosmologyParams<double> bad = p;
  bad.omega_b = 0.0;
  CHECK_THROWS_WITH(LinearPower<double>(bad, TransferModel::eisenstein_hu), Catch::Contains("omega_b = 0"));
  CHECK_NOTHROW(LinearPower<double>(bad, TransferModel::bbks));
  bad = p;
  bad.h = -0.7;
  CHECK_THROWS_WITH(LinearPower<double>(bad, TransferModel::bbks), Catch::Contains("h = -0.7"));
  bad = p;
  bad.sigma8 = 0.0;
  CHECK_THROWS_WITH(LinearPower<double>(bad, TransferModel::eisenstein_hu_nowiggle), Catch::Contains("sigma8 = 0"));
  CHECK_THROWS_WITH(bbks.sigma_r(-1.0), Catch::Contains("radius must be positive"));
}

TEST_CASE("tabulated spectra: CLASS's table reproduces its sigma8, bad files are clear errors", "[linear_power][table]") {
  const fs::path class_dir = kValidation / "class_halofit";
  struct Run {
    const char* name;
    double h, sigma8;
  };
  for (const Run& run : {Run{"cosmo1_lcdm", 0.67, 0.81}, Run{"cosmo2_w0wa", 0.67, 0.81}, Run{"cosmo3_lcdm", 0.72, 0.75}}) {
    CosmologyParams<double> p;
    p.h = run.h;
    const auto table = TabulatedPower::from_file(class_dir / (std::string(run.name) + "_z0.0_pk.dat"), run.h);
    CHECK(table.size() >= 299);
    const LinearPower<double> power(p, table);
    CHECK(power.is_tabulated());
    INFO(run.name);
    CHECK(power.sigma8() == Approx(run.sigma8).epsilon(2e-6));  // CLASS prints 0.809999 / 0.81 / 0.75
    // Interpolation reproduces the nodes; rescaling hits params.sigma8.
    const auto rows = read_rows(class_dir / (std::string(run.name) + "_z0.0_pk.dat"));
    for (std::size_t r = 0; r < rows.size(); r += 37) CHECK(power.power_h_units(rows[r][0]) == Approx(rows[r][1]).epsilon(1e-12));
    p.sigma8 = 0.9;
    const LinearPower<double> rescaled(p, table, TableAmplitude::rescale_to_sigma8);
    CHECK(rescaled.sigma8() == Approx(0.9).epsilon(1e-13));
  }

  // A table has no cosmology derivatives except through an optional σ8 rescaling.
  using D1 = Dual<double, 1>;
  CosmologyParams<D1> pd;
  pd.h = 0.67;
  pd.sigma8 = D1::variable(0.81, 0);
  const auto table = TabulatedPower::from_file(class_dir / "cosmo1_lcdm_z0.0_pk.dat", 0.67);
  CHECK(LinearPower<D1>(pd, table)(0.1).d[0] == 0.0);
  const D1 p_rescaled = LinearPower<D1>(pd, table, TableAmplitude::rescale_to_sigma8)(0.1);
  CHECK(p_rescaled.d[0] == Approx(2.0 * p_rescaled.val / 0.81).epsilon(1e-12));

  const fs::path file = fs::temp_directory_path() / "orrery-pk-test.txt";
  const auto write = [&](const std::string& text) { std::ofstream(file) << text; };
  write("# k P\n0.01 100 # comment\n\n0.1 50\n1 5\n10 0.5\n");
  const auto ok = TabulatedPower::from_file(file, 0.5);
  CHECK(ok(0.05) == Approx(50.0 * 8.0).epsilon(1e-12));  // k = 0.1 h/Mpc, P in Mpc^3 = P_h / h³
  CHECK(ok(5e-4) == Approx(100.0 * 8.0 * std::pow(0.1, -std::log10(2.0))).epsilon(1e-12));  // power-law continuation
  write("0.01 100\n0.1 -50\n1 5\n10 0.5\n");
  CHECK_THROWS_WITH(TabulatedPower::from_file(file, 0.7), Catch::Contains("line 2") && Catch::Contains("must be positive"));
  write("0.01 100\n0.1 50\n0.1 5\n10 0.5\n");
  CHECK_THROWS_WITH(TabulatedPower::from_file(file, 0.7), Catch::Contains("line 3") && Catch::Contains("increase"));
  write("0.01 100\n0.1 fifty\n");
  CHECK_THROWS_WITH(TabulatedPower::from_file(file, 0.7), Catch::Contains("'fifty' is not a number"));
  write("0.01\n");
  CHECK_THROWS_WITH(TabulatedPower::from_file(file, 0.7), Catch::Contains("expected at least 2 columns"));
  write("# only comments\n\n");
  CHECK_THROWS_WITH(TabulatedPower::from_file(file, 0.7), Catch::Contains("holds no data"));
  write("0.01 1\n0.1 2\n1 3\n");
  CHECK_THROWS_WITH(TabulatedPower::from_file(file, 0.7), Catch::Contains("at least 4"));
  CHECK_THROWS_WITH(TabulatedPower::from_file(file.string() + ".missing", 0.7), Catch::Contains("cannot be read"));
  fs::remove(file);
}

TEST_CASE("P_lin gradients are exact derivatives", "[linear_power][gradient]") {
  constexpr int kN = 5;
  using D = Dual<double, kN>;
  const std::array<Param, kN> params = {Param::omega_c, Param::omega_b, Param::h, Param::n_s, Param::sigma8};
  const CosmologyParams<double> base = ccl_params(-1.0, 0.0, 2.7255);
  GradientCheck check;
  for (const TransferModel model : {TransferModel::eisenstein_hu, TransferModel::eisenstein_hu_nowiggle, TransferModel::bbks}) {
    CosmologyParams<D> pd;
    for (int i = 0; i < kN; ++i) pd[params[i]] = D::variable(base[params[i]], i);
    pd.T_cmb = base.T_cmb;
    const LinearPower<D> power(pd, model);
    for (const double k : {1e-3, 0.02, 0.1, 0.5, 3.0}) {
      const D ad = power(k);
      for (int i = 0; i < kN; ++i) {
        const auto f = [&](double x) {
          CosmologyParams<double> q = base;
          q[params[i]] = x;
          return LinearPower<double>(q, model)(k);
        };
        INFO("model " << static_cast<int>(model) << ", k = " << k << ", d/d" << kParamNames[static_cast<std::size_t>(params[i])]);
        check.add(ad.d[i], derivative8(f, base[params[i]], fd_step(params[i], base[params[i]])), ad.val);
      }
    }
    // σ(R) in Mpc and in Mpc/h (the latter moves with h).
    const D s = power.sigma_r(5.0), s_h = power.sigma_r_mpc_h(20.0);
    for (int i = 0; i < kN; ++i) {
      const auto f = [&](double x, bool h_units) {
        CosmologyParams<double> q = base;
        q[params[i]] = x;
        const LinearPower<double> lp(q, model);
        return h_units ? lp.sigma_r_mpc_h(20.0) : lp.sigma_r(5.0);
      };
      const double step = fd_step(params[i], base[params[i]]);
      check.add(s.d[i], derivative8([&](double x) { return f(x, false); }, base[params[i]], step), s.val);
      check.add(s_h.d[i], derivative8([&](double x) { return f(x, true); }, base[params[i]], step), s_h.val);
    }
  }
  INFO("P_lin / sigma(R) gradients: max relative difference to 8th-order finite differences "
       << check.worst << " (" << check.significant << " derivatives; " << check.negligible << " near zero)");
  CHECK(check.worst <= 1e-6);
}

TEST_CASE("P_lin(k, z) and k_NL gradients through the growth factor, all parameters", "[linear_power][gradient]") {
  constexpr int kN = kParamCount;
  using D = Dual<double, kN>;
  CosmologyParams<double> base = ccl_params(-0.9, 0.1, 2.7255);
  base.N_eff = 3.046;
  base.omega_k = 0.02;
  const auto value = [&](const CosmologyParams<double>& q, double k, double a, bool knl) {
    const LinearPower<double> power(q, TransferModel::eisenstein_hu);
    const Growth<double> growth{Background<double>(q)};
    return knl ? power.k_nl(growth.growth_factor(a)) : power(k, growth.growth_factor(a));
  };
  CosmologyParams<D> pd;
  for (int i = 0; i < kN; ++i) pd[static_cast<Param>(i)] = D::variable(base[static_cast<Param>(i)], i);
  pd.T_cmb = base.T_cmb;
  pd.N_eff = base.N_eff;
  const LinearPower<D> power(pd, TransferModel::eisenstein_hu);
  const Growth<D> growth{Background<D>(pd)};
  GradientCheck check;
  for (const double a : {1.0, 0.5}) {
    const D k_nl = power.k_nl(growth.growth_factor(a));
    for (const double k : {0.01, 0.2, 2.0}) {
      const D ad = power(k, growth.growth_factor(a));
      for (int i = 0; i < kN; ++i) {
        const Param p = static_cast<Param>(i);
        const auto f = [&](double x) {
          CosmologyParams<double> q = base;
          q[p] = x;
          return value(q, k, a, false);
        };
        INFO("a = " << a << ", k = " << k << ", d/d" << kParamNames[static_cast<std::size_t>(i)]);
        check.add(ad.d[i], derivative8(f, base[p], fd_step(p, base[p])), ad.val);
      }
    }
    for (int i = 0; i < kN; ++i) {
      const Param p = static_cast<Param>(i);
      const auto f = [&](double x) {
        CosmologyParams<double> q = base;
        q[p] = x;
        return value(q, 0.0, a, true);
      };
      check.add(k_nl.d[i], derivative8(f, base[p], fd_step(p, base[p])), k_nl.val);
    }
  }
  INFO("P_lin(k, z) / k_NL gradients (8 parameters): max relative difference to finite differences "
       << check.worst << " (" << check.significant << " derivatives; " << check.negligible << " near zero)");
  CHECK(check.worst <= 1e-6);
}

TEST_CASE("nested Duals give exact second derivatives of P_lin", "[linear_power][gradient]") {
  using D1 = Dual<double, 2>;
  using D2 = Dual<D1, 2>;
  const CosmologyParams<double> base = ccl_params(-1.0, 0.0, 2.7255);
  const std::array<Param, 2> params = {Param::omega_c, Param::h};
  CosmologyParams<D2> p2;
  for (int i = 0; i < 2; ++i) {
    // Variable i in both levels: inner and outer derivative directions i.
    D2 x(D1::variable(base[params[static_cast<std::size_t>(i)]], i));
    x.d[static_cast<std::size_t>(i)] = D1(1.0);
    p2[params[static_cast<std::size_t>(i)]] = x;
  }
  p2.T_cmb = base.T_cmb;
  const double k = 0.15;
  const D2 hess = LinearPower<D2>(p2, TransferModel::eisenstein_hu)(k);
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) {
      // d/dθ_j of the exact first derivative dP/dθ_i, by finite differences.
      const auto first = [&](double x) {
        CosmologyParams<D1> q;
        for (int m = 0; m < 2; ++m) q[params[static_cast<std::size_t>(m)]] = D1::variable(base[params[static_cast<std::size_t>(m)]], m);
        q[params[static_cast<std::size_t>(j)]].val = x;
        q.T_cmb = base.T_cmb;
        return LinearPower<D1>(q, TransferModel::eisenstein_hu)(k).d[static_cast<std::size_t>(i)];
      };
      const Param pj = params[static_cast<std::size_t>(j)];
      const double fd = derivative8(first, base[pj], fd_step(pj, base[pj]));
      INFO("d2P/d" << kParamNames[static_cast<std::size_t>(params[static_cast<std::size_t>(i)])] << " d"
                   << kParamNames[static_cast<std::size_t>(pj)]);
      CHECK(hess.d[static_cast<std::size_t>(j)].d[static_cast<std::size_t>(i)] == Approx(fd).epsilon(1e-6));
      CHECK(hess.d[static_cast<std::size_t>(j)].val == Approx(hess.val.d[static_cast<std::size_t>(j)]).epsilon(1e-14));
    }
  }
}
