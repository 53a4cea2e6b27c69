#include <catch2/catch.hpp>
#include <cmath>

#include <orrery/random.hpp>

#include "chain_summary.hpp"

using namespace orrery;
using namespace orrery::kernel;

namespace {
/// AR(1) chains x_t = ρ x_{t-1} + sqrt(1-ρ²) ε_t: stationary N(0, 1), ESS/N = (1-ρ)/(1+ρ).
std::vector<Eigen::VectorXd> ar1_chains(int chains, int n, double rho, std::uint64_t seed, double offset = 0) {
  RandomStream rng(seed);
  std::vector<Eigen::VectorXd> out;
  for (int c = 0; c < chains; ++c) {
    Eigen::VectorXd x(n);
    double v = rng.normal();
    for (int t = 0; t < n; ++t) {
      v = rho * v + std::sqrt(1 - rho * rho) * rng.normal();
      x[t] = v + (c == 0 ? offset : 0.0);
    }
    out.push_back(x);
  }
  return out;
}
}  // namespace

TEST_CASE("ESS matches the AR(1) closed form", "[diagnostics]") {
  for (double rho : {0.0, 0.5, 0.9}) {
    const auto chains = ar1_chains(4, 20000, rho, 11);
    const double expected = 4 * 20000 * (1 - rho) / (1 + rho);
    INFO("rho = " << rho);
    CHECK(effective_sample_size(chains) == Approx(expected).epsilon(0.1));
  }
}

TEST_CASE("split R-hat is near 1 for mixed chains and large for stuck ones", "[diagnostics]") {
  CHECK(split_rhat(ar1_chains(4, 5000, 0.5, 3)) < 1.01);
  CHECK(split_rhat(ar1_chains(4, 5000, 0.5, 3, /*offset=*/3.0)) > 1.2);
}

TEST_CASE("summaries give means, sds and 68% intervals", "[diagnostics]") {
  RandomStream rng(5);
  SampleSet set;
  for (int c = 0; c < 2; ++c) {
    Chain chain;
    chain.draws.resize(20000, 1);
    chain.log_density.setZero(20000);
    for (int i = 0; i < 20000; ++i) chain.draws(i, 0) = 2.0 + 3.0 * rng.normal();
    set.chains.push_back(chain);
  }
  const auto s = summarise(set, {"a"});
  REQUIRE(s.size() == 1);
  CHECK(s[0].name == "a");
  CHECK(s[0].mean == Approx(2.0).margin(4 * 3.0 / std::sqrt(40000.0)));
  CHECK(s[0].sd == Approx(3.0).epsilon(0.02));
  CHECK(s[0].q16 == Approx(-1.0).margin(0.1));
  CHECK(s[0].q84 == Approx(5.0).margin(0.1));
  CHECK(s[0].ess == Approx(40000).epsilon(0.1));

  // Weighted draws: a two-point distribution.
  SampleSet weighted;
  Chain w;
  w.draws.resize(2, 1);
  w.draws << 0.0, 1.0;
  w.log_density.setZero(2);
  w.weights.resize(2);
  w.weights << 3.0, 1.0;
  weighted.chains.push_back(w);
  const auto ws = summarise(weighted, {"b"});
  CHECK(ws[0].mean == Approx(0.25));
  CHECK(ws[0].sd == Approx(std::sqrt(0.1875)));
  CHECK(std::isnan(ws[0].rhat));
}
