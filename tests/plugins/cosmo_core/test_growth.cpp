// Growth<S> (cosmo_core/growth.hpp) against CCL's / CosmoMAD's growth
// benchmarks (../shared/validation/ccl, README there), analytic solutions
// (Einstein-de Sitter, Mészáros), the Ω_m^γ and 2LPT fits, and gradients
// against finite differences.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "plugins/cosmo_core/validation_data.hpp"
#include "cosmo_core/growth.hpp"

namespace {

using orrery::test::ccl_model;
using orrery::test::read_rows;

using orrery::cosmo::Background;
using orrery::cosmo::CosmologyParams;
using orrery::cosmo::Dual;
using orrery::cosmo::Growth;
using orrery::cosmo::kParamCount;
using orrery::cosmo::Param;
using D8 = Dual<double, kParamCount>;



CosmologyParams<D8> seeded(const CosmologyParams<double>& p) {
  CosmologyParams<D8> q;
  for (int i = 0; i < kParamCount; ++i) q[static_cast<Param>(i)] = D8::variable(p[static_cast<Param>(i)], i);
  q.T_cmb = p.T_cmb;
  q.N_eff = p.N_eff;
  return q;
}

/// Compares one benchmark file (columns: z, then models 1..n) with the
/// unnormalised growth factor; returns the largest relative error.
double compare_file(const std::string& name, int models, double rtol) {
  const auto rows = read_rows(orrery::test::kCclDir / name);
  double worst = 0.0;
  for (int model = 1; model <= models; ++model) {
    const Background<double> bg(ccl_model(model));
    const Growth<double> growth(bg);
    for (const auto& row : rows) {
      const double ours = growth.growth_factor_unnormalised(1.0 / (1.0 + row[0]));
      const double ref = row[static_cast<std::size_t>(model)];
      INFO(name << ", model " << model << ", z = " << row[0] << ": ours " << ours << ", reference " << ref);
      CHECK(std::abs(ours - ref) <= 1e-12 + rtol * std::abs(ref));
      worst = std::max(worst, std::abs(ours / ref - 1.0));
    }
  }
  return worst;
}

}  // namespace

TEST_CASE("Growth factor matches CCL models 1-5 at z = 0..5 within rtol 1e-4", "[growth]") {
  const double worst = compare_file("growth_model1-5.txt", 5, 1e-4);
  INFO("growth_model1-5 max relative error " << worst);
  // Flat models agree to the file's 7 digits; the curved models 4 and 5 differ
  // by ~9e-7, the size of the O((Ω_k/Ω_m) a_init) normalisation offset of a
  // D = a start without the curvature correction (ours is converged to 3e-9).
  CHECK(worst < 2e-6);
}

TEST_CASE("Growth factor matches CosmoMAD for models 1-5 at z = 0.01..1000 within rtol 1e-4", "[growth]") {
  const double worst = compare_file("growth_cosmomad_allz.txt", 5, 1e-4);
  INFO("growth_cosmomad_allz max relative error " << worst);
  CHECK(worst < 1e-6);
}

TEST_CASE("Growth factor matches CCL models 1-3 at z = 10..1000 within rtol 6e-6", "[growth]") {
  const double worst = compare_file("growth_hiz_model1-3.txt", 3, 6e-6);
  INFO("growth_hiz_model1-3 max relative error " << worst);
  CHECK(worst < 6e-6);
}

TEST_CASE("Growth in Einstein-de Sitter and in a matter+radiation universe is analytic", "[growth]") {
  // EdS: D = a, f = 1, D2 = -(3/7) a², f2 = 2 (RK4 is exact for D = a; D2
  // carries the integration error, ~2e-8).
  CosmologyParams<double> eds;
  eds.omega_c = 0.95;
  eds.omega_b = 0.05;
  eds.T_cmb = 0.0;
  eds.N_eff = 0.0;
  const Growth<double> g(Background<double>{eds});
  for (double a : {1e-5, 1e-3, 0.1, 0.5, 1.0}) {
    INFO("EdS, a = " << a);
    CHECK(g.growth_factor_unnormalised(a) == Approx(a).epsilon(1e-9));
    CHECK(g.growth_factor(a) == Approx(a).epsilon(1e-9));
    CHECK(g.growth_rate(a) == Approx(1.0).epsilon(1e-9));
    CHECK(g.growth_factor_2(a) == Approx(-3.0 / 7.0 * a * a).epsilon(1e-7));
    CHECK(g.growth_rate_2(a) == Approx(2.0).epsilon(1e-7));
  }
  // Matter + radiation, flat (Ω_m = 1 - Ω_r, no dark energy): Mészáros'
  // growing mode D = a + (2/3) a_eq with a_eq = Ω_r/Ω_m.
  CosmologyParams<double> mr = eds;
  mr.T_cmb = 2.7255;
  mr.N_eff = 3.046;
  const double omega_r = orrery::cosmo::omega_radiation_h2(mr.T_cmb, mr.N_eff) / (mr.h * mr.h);
  mr.omega_c = 1.0 - omega_r - mr.omega_b;
  const Background<double> bg(mr);
  CHECK(bg.omega_de() == Approx(0.0).margin(1e-15));
  const Growth<double> m(bg);
  const double a_eq = omega_r / (1.0 - omega_r);
  for (double a : {2e-6, 1e-5, 1e-4, a_eq, 1e-3, 0.1, 1.0}) {
    INFO("matter+radiation, a = " << a << ", a_eq = " << a_eq);
    const double d = a + 2.0 / 3.0 * a_eq;
    CHECK(m.growth_factor_unnormalised(a) == Approx(d).epsilon(1e-8));
    CHECK(m.growth_rate(a) == Approx(a / d).epsilon(1e-8));
  }
  // The radiation-era start is the exact growing solution: results do not
  // depend on where the integration starts.
  const Growth<double> late(bg, {1e-5, 32});
  const Growth<double> early(bg, {1e-9, 32});
  for (double a : {1e-3, 0.01, 1.0}) {
    CHECK(late.growth_factor_unnormalised(a) == Approx(early.growth_factor_unnormalised(a)).epsilon(1e-9));
    CHECK(late.growth_factor_2_unnormalised(a) == Approx(early.growth_factor_2_unnormalised(a)).epsilon(1e-8));
  }
  // Well after equality, D2 → -(3/7) D² up to O(a_eq/a).
  CHECK(m.growth_factor_2(1.0) / std::pow(m.growth_factor(1.0), 2) == Approx(-3.0 / 7.0).epsilon(5e-3));
}

TEST_CASE("Growth rate is the logarithmic derivative of D and is close to Omega_m(a)^gamma", "[growth]") {
  double worst_fd = 0.0, worst_gamma = 0.0;
  for (int model = 1; model <= 5; ++model) {
    for (bool radiation : {false, true}) {
      const auto p = ccl_model(model, radiation);
      const Background<double> bg(p);
      const Growth<double> g(bg);
      // Linder (2005): γ = 0.55 + 0.05 (1 + w(z = 1)) for w ≠ -1.
      const double gamma = 0.55 + 0.05 * (1.0 + p.w0 + 0.5 * p.wa);
      for (double a : {1e-4, 0.01, 0.2, 0.5, 0.8, 0.99}) {
        const double x = std::log(a), h = 1e-3;
        auto lnD = [&](double t) { return std::log(g.growth_factor(std::exp(t))); };
        const double fd = (lnD(x - 3 * h) * -1 + 9 * lnD(x - 2 * h) - 45 * lnD(x - h) + 45 * lnD(x + h) -
                           9 * lnD(x + 2 * h) + lnD(x + 3 * h)) /
                          (60 * h);
        const double f = g.growth_rate(a);
        INFO("model " << model << ", radiation " << radiation << ", a = " << a << ": f " << f << ", FD " << fd
                      << ", Omega_m^gamma " << g.growth_rate_gamma(a, gamma));
        CHECK(f == Approx(fd).epsilon(1e-6));
        worst_fd = std::max(worst_fd, std::abs(f / fd - 1.0));
        if (a >= 0.01) {  // the γ fit ignores radiation
          CHECK(g.growth_rate_gamma(a, gamma) == Approx(f).epsilon(0.01));
          worst_gamma = std::max(worst_gamma, std::abs(g.growth_rate_gamma(a, gamma) / f - 1.0));
          if (model == 1) CHECK(g.growth_rate_gamma(a) == Approx(f).epsilon(0.01));  // γ = 0.55 for ΛCDM
        }
        CHECK(g.growth_rate_gamma(a, 0.0) == Approx(1.0));
        CHECK(g.growth_rate_gamma(a, 1.0) == Approx(bg.omega_m_of_a(a)).epsilon(1e-14));
      }
    }
  }
  INFO("f vs FD of ln D max relative error " << worst_fd << "; f vs Omega_m^gamma " << worst_gamma);
  CHECK(worst_fd < 1e-6);
}

TEST_CASE("Second-order growth D2 follows -3/7 Omega_m^(-1/143) D^2 in LCDM", "[growth][2lpt]") {
  const Background<double> bg(ccl_model(1));
  const Growth<double> g(bg);
  // Deep in matter domination the ratio is the exact -3/7.
  const double early = 1e-3;
  CHECK(g.growth_factor_2(early) / std::pow(g.growth_factor(early), 2) == Approx(-3.0 / 7.0).epsilon(1e-6));
  for (double a : {0.25, 0.5, 1.0}) {
    const double ratio = g.growth_factor_2(a) / std::pow(g.growth_factor(a), 2);
    const double fit = -3.0 / 7.0 * std::pow(bg.omega_m_of_a(a), -1.0 / 143.0);
    INFO("a = " << a << ": D2/D^2 = " << ratio << ", fit " << fit);
    CHECK(ratio == Approx(fit).epsilon(1e-3));
    // Normalisations agree.
    CHECK(g.growth_factor_2_unnormalised(a) / std::pow(g.growth_factor_unnormalised(a), 2) ==
          Approx(ratio).epsilon(1e-13));
    // f2 ≈ 2 Ω_m(a)^(6/11) (Bouchet et al. 1995) to ~1%.
    CHECK(g.growth_rate_2(a) == Approx(2.0 * std::pow(bg.omega_m_of_a(a), 6.0 / 11.0)).epsilon(0.01));
  }
}

TEST_CASE("Gradients of growth w.r.t. all 8 parameters match finite differences", "[growth][gradient]") {
  std::vector<CosmologyParams<double>> cosmologies = {ccl_model(1, true), ccl_model(4, false), ccl_model(5, true)};
  cosmologies[1].w0 = -1.05;
  cosmologies[1].wa = -0.2;
  double worst = 0.0;
  using Quantity = std::function<D8(const Growth<D8>&)>;
  using QuantityD = std::function<double(const Growth<double>&)>;
  struct Case {
    const char* name;
    Quantity dual;
    QuantityD plain;
  };
  for (double a : {1e-3, 0.3, 0.77, 1.0}) {
    const std::vector<Case> cases = {
        {"D", [a](const Growth<D8>& g) { return g.growth_factor(a); },
         [a](const Growth<double>& g) { return g.growth_factor(a); }},
        {"D unnormalised", [a](const Growth<D8>& g) { return g.growth_factor_unnormalised(a); },
         [a](const Growth<double>& g) { return g.growth_factor_unnormalised(a); }},
        {"f", [a](const Growth<D8>& g) { return g.growth_rate(a); },
         [a](const Growth<double>& g) { return g.growth_rate(a); }},
        {"D2", [a](const Growth<D8>& g) { return g.growth_factor_2(a); },
         [a](const Growth<double>& g) { return g.growth_factor_2(a); }},
        {"f2", [a](const Growth<D8>& g) { return g.growth_rate_2(a); },
         [a](const Growth<double>& g) { return g.growth_rate_2(a); }},
    };
    for (const auto& p : cosmologies) {
      const Growth<D8> gd(Background<D8>(seeded(p)));
      for (const auto& c : cases) {
        const D8 ad = c.dual(gd);
        const double value = c.plain(Growth<double>(Background<double>(p)));
        CHECK(ad.val == Approx(value).epsilon(1e-14));
        for (int i = 0; i < kParamCount; ++i) {
          const double h = 1e-3 * std::max(0.1, std::abs(p[static_cast<Param>(i)]));
          auto at = [&](double offset) {
            CosmologyParams<double> q = p;
            q[static_cast<Param>(i)] += offset;
            return c.plain(Growth<double>(Background<double>(q)));
          };
          const double fd = (at(3 * h) - 9 * at(2 * h) + 45 * at(h) - 45 * at(-h) + 9 * at(-2 * h) - at(-3 * h)) /
                            (60 * h);
          // Relative above 1e-4 |f| per unit parameter, absolute below (see
          // test_background.cpp): tiny derivatives are finite-difference noise.
          const double err =
              std::abs(ad.d[static_cast<std::size_t>(i)] - fd) / (std::abs(fd) + 1e-4 * std::abs(value));
          INFO(c.name << " at a = " << a << ", omega_k = " << p.omega_k << ", T_cmb = " << p.T_cmb << ", d/d"
                      << orrery::cosmo::kParamNames[static_cast<std::size_t>(i)] << ": dual "
                      << ad.d[static_cast<std::size_t>(i)] << ", finite difference " << fd);
          CHECK(err <= 1e-6);
          worst = std::max(worst, err);
        }
      }
    }
  }
  INFO("growth gradients: max relative error " << worst);
  CHECK(worst < 1e-6);
}

TEST_CASE("Hessian of the growth factor through nested Duals matches finite differences of the gradient",
          "[growth][gradient]") {
  using DD8 = Dual<D8, kParamCount>;
  const CosmologyParams<double> p = ccl_model(5, true);
  CosmologyParams<DD8> q;
  for (int i = 0; i < kParamCount; ++i) {
    DD8 v(D8::variable(p[static_cast<Param>(i)], i));
    v.d[static_cast<std::size_t>(i)] = D8(1.0);
    q[static_cast<Param>(i)] = v;
  }
  q.T_cmb = p.T_cmb;
  q.N_eff = p.N_eff;
  const double a = 0.5;
  const DD8 d = Growth<DD8>(Background<DD8>(q)).growth_factor(a);
  double worst = 0.0;
  for (int j = 0; j < kParamCount; ++j) {
    const double h = 1e-3 * std::max(0.1, std::abs(p[static_cast<Param>(j)]));
    auto gradient_at = [&](double offset) {
      CosmologyParams<double> r = p;
      r[static_cast<Param>(j)] += offset;
      return Growth<D8>(Background<D8>(seeded(r))).growth_factor(a);
    };
    const std::array<D8, 6> g = {gradient_at(-3 * h), gradient_at(-2 * h), gradient_at(-h),
                                 gradient_at(h),      gradient_at(2 * h),  gradient_at(3 * h)};
    for (std::size_t i = 0; i < kParamCount; ++i) {
      const double fd =
          (-g[0].d[i] + 9 * g[1].d[i] - 45 * g[2].d[i] + 45 * g[3].d[i] - 9 * g[4].d[i] + g[5].d[i]) / (60 * h);
      const double ad = d.d[i].d[static_cast<std::size_t>(j)];
      INFO("d2 D / d" << i << " d" << j << ": dual " << ad << ", finite difference " << fd);
      const double err = std::abs(ad - fd) / (std::abs(fd) + 1e-4 * orrery::cosmo::value_of(d));
      CHECK(err <= 1e-6);
      CHECK(ad == Approx(d.d[static_cast<std::size_t>(j)].d[i]).epsilon(1e-12));  // symmetric
      worst = std::max(worst, err);
    }
  }
  INFO("growth Hessian max relative error " << worst);
  CHECK(worst < 1e-6);
}

TEST_CASE("Growth rejects out-of-range scale factors and bad settings", "[growth][errors]") {
  using orrery::Error;
  using Catch::Matchers::Contains;
  const Background<double> bg(ccl_model(1, true));
  const Growth<double> g(bg);
  CHECK(g.a_init() <= 1e-6);
  CHECK(g.growth_factor_z(1.5) == g.growth_factor(1.0 / 2.5));
  CHECK(g.growth_rate_z(1.5) == g.growth_rate(1.0 / 2.5));
  CHECK_THROWS_WITH(g.growth_factor(1.2), Contains("a = 1.2"));
  CHECK_THROWS_AS(g.growth_factor(1e-8), Error);
  CHECK_THROWS_AS(g.growth_rate_gamma(0.0), Error);
  CHECK_THROWS_AS(Growth<double>(bg, {2.0, 32}), Error);
  // With radiation the start must be deep in the radiation era.
  CHECK_THROWS_WITH(Growth<double>(bg, {1e-3, 32}), Contains("a_init"));
}
