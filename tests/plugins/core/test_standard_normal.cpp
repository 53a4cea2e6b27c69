// Tail probabilities of the standard normal and the exact truncated sampler,
// against 50-digit mpmath references and quadrature.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <utility>

#include "standard_normal.hpp"
#include "support/numerics.hpp"
#include "truncated_standard_normal.hpp"

using orrery::core::log_normal_interval_mass;
using orrery::core::log_normal_upper_tail;
using orrery::core::TruncatedStandardNormal;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

TEST_CASE("log Q(x) matches mpmath from the bulk to far tails", "[core][standard_normal]") {
  // log(erfc(x / sqrt 2) / 2) evaluated by mpmath with 50 significant digits.
  const std::pair<double, double> reference[] = {
      {-5.0, -2.8665161296376359338e-7}, {-1.5, -0.069143455612233982993}, {0.0, -0.69314718055994530942},
      {0.5, -1.1759117615936186089},     {3.0, -6.6077262215103495433},    {8.0, -35.013437159914549896},
      {10.0, -53.231285150512470578},    {29.9, -451.32291245852863447},   {30.0, -454.32124395634319711},
      {30.1, -457.32956441638225788},    {37.5, -707.66898931750719107},   {40.0, -804.60844201375378817},
      {100.0, -5005.5242086942050886},   {1000.0, -500007.82669481218431}};
  for (const auto& [x, expected] : reference) {
    INFO("x = " << x);
    CHECK(log_normal_upper_tail(x) == Approx(expected).epsilon(1e-13));
  }
  CHECK(log_normal_upper_tail(kInf) == -kInf);
  CHECK(log_normal_upper_tail(-kInf) == 0.0);
}

TEST_CASE("log P(a <= Z <= b) matches mpmath for tail, narrow and central intervals", "[core][standard_normal]") {
  struct Case {
    double a, b, expected;
  };
  const Case reference[] = {
      {8.0, 8.5, -35.02879250857974781},          {40.0, 40.5, -804.60844201555032101},
      {-8.5, -8.0, -35.02879250857974781},        {-1.0, 2.0, -0.20016629432446257995},
      {-0.5, 0.5, -0.95991633369562231933},       {1.0, 1.5, -2.3876196688239346461},
      {40.0, 41.0, -804.60844201375378817},       {5.0, 5.1, -15.962590193561618145},
      {-0.1, 0.05, -2.8173075810927545386},       {0.3, 0.3 + 1e-9, -21.687204343071864502},
      {2.0, 2.0 + 1e-12, -30.54987075250330261},  {-3.0, -3.0 + 1e-6, -19.234447591028960336},
      {8.0, kInf, -35.013437159914549896},        {-kInf, -40.0, -804.60844201375378817}};
  for (const Case& c : reference) {
    INFO("[" << c.a << ", " << c.b << "]");
    CHECK(log_normal_interval_mass(c.a, c.b) == Approx(c.expected).epsilon(1e-12));
  }
  CHECK(log_normal_interval_mass(-kInf, kInf) == 0.0);
  CHECK(log_normal_interval_mass(1.0, 1.0) == -kInf);
}

TEST_CASE("truncated standard normal picks an efficient exact proposal", "[core][standard_normal]") {
  using Method = TruncatedStandardNormal::Method;
  CHECK(TruncatedStandardNormal(-kInf, kInf).method() == Method::Normal);
  CHECK(TruncatedStandardNormal(-1.0, 3.0).method() == Method::Normal);
  CHECK(TruncatedStandardNormal(-0.5, 0.5).method() == Method::Uniform);
  CHECK(TruncatedStandardNormal(8.0, 8.01).method() == Method::Uniform);
  CHECK(TruncatedStandardNormal(8.0, kInf).method() == Method::Exponential);
  CHECK(TruncatedStandardNormal(-kInf, -8.0).method() == Method::Exponential);
}

TEST_CASE("truncated standard normal draws match quadrature moments on every kind of interval",
          "[core][standard_normal]") {
  const std::pair<double, double> intervals[] = {{-kInf, kInf}, {-1.0, 3.0},    {-0.5, 0.5},   {0.5, 3.0},
                                                 {8.0, kInf},   {8.0, 8.5},     {-kInf, -8.0}, {40.0, 40.5},
                                                 {-2.0, -1.9}};
  orrery::RandomStream rng(7);
  for (const auto& [a, b] : intervals) {
    INFO("[" << a << ", " << b << "]");
    const TruncatedStandardNormal dist(a, b);
    // Reference moments by quadrature of exp(-(z² - c²)/2) over the bulk of
    // the interval, c the point nearest 0 (so the far tails do not underflow).
    const double c = std::clamp(0.0, a, b);
    const double lo = std::isfinite(a) ? a : c - 40.0;
    const double hi = std::isfinite(b) ? b : c + 40.0;
    auto weight = [c](double z) { return std::exp(-0.5 * (z - c) * (z + c)); };
    const double mass = orrery::test::integrate(weight, lo, hi, 200000);
    const double mean = orrery::test::integrate([&](double z) { return z * weight(z); }, lo, hi, 200000) / mass;
    const double variance =
        orrery::test::integrate([&](double z) { return (z - mean) * (z - mean) * weight(z); }, lo, hi, 200000) / mass;

    const int n = 100000;
    Eigen::VectorXd draws(n);
    for (int i = 0; i < n; ++i) draws[i] = dist.sample(rng);
    CHECK(draws.minCoeff() >= a);
    CHECK(draws.maxCoeff() <= b);
    const orrery::test::Estimate estimate = orrery::test::iid_mean(draws);
    CHECK(std::abs(estimate.value - mean) < 4.0 * std::sqrt(variance / n));
    const Eigen::VectorXd squared = (draws.array() - mean).square();
    const orrery::test::Estimate second = orrery::test::iid_mean(squared);
    CHECK(std::abs(second.value - variance) < 4.0 * second.standard_error);
  }
}
