#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include <orrery/diagnostics.hpp>
#include <orrery/random.hpp>

#include "chain_summary.hpp"

using namespace orrery;
using namespace orrery::kernel;

// The estimators themselves are tested in tests/sdk/test_diagnostics.cpp; these
// tests check that summaries report them, column by column.

namespace {
/// Chains of iid N(mean, sd²) draws, `columns` wide.
SampleSet normal_draws(int chains, int n, int columns, double mean, double sd, std::uint64_t seed) {
  RandomStream rng(seed);
  SampleSet set;
  for (int c = 0; c < chains; ++c) {
    Chain chain;
    chain.draws.resize(n, columns);
    chain.log_density.setZero(n);
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < columns; ++k) chain.draws(i, k) = mean + sd * rng.normal();
    set.chains.push_back(chain);
  }
  return set;
}

bool all_diagnostics_nan(const ParameterSummary& s) {
  return std::isnan(s.rhat) && std::isnan(s.ess_bulk) && std::isnan(s.ess_tail) && std::isnan(s.mcse_mean) &&
         std::isnan(s.iat);
}
}  // namespace

TEST_CASE("chain summary gives means, sds, 68% intervals and diagnostics", "[diagnostics]") {
  const SampleSet set = normal_draws(2, 20000, 1, 2.0, 3.0, 5);
  const double total = 40000;
  const auto s = summarise(set, {"a"});
  REQUIRE(s.size() == 1);
  CHECK(s[0].name == "a");
  CHECK(s[0].mean == Approx(2.0).margin(4 * 3.0 / std::sqrt(total)));
  CHECK(s[0].sd == Approx(3.0).margin(4 * 3.0 / std::sqrt(2 * total)));
  CHECK(s[0].q16 == Approx(-1.0).margin(0.1));
  CHECK(s[0].q84 == Approx(5.0).margin(0.1));
  // iid draws: ESS ≈ N, τ ≈ 1. Relative 4σ of such estimates from N draws with
  // a window of M ≈ 4–5 lags: 4·sqrt(2(2M+1)/N) ≈ 7–9% (Sokal 1997).
  CHECK(s[0].rhat < 1.01);
  CHECK(s[0].ess_bulk == Approx(total).epsilon(0.075));
  CHECK(s[0].ess_tail == Approx(total).epsilon(0.075));
  CHECK(s[0].mcse_mean == Approx(3.0 / std::sqrt(total)).epsilon(0.05));
  CHECK(s[0].iat == Approx(1.0).epsilon(0.095));
}

TEST_CASE("chain summary reports the SDK diagnostics of every column", "[diagnostics]") {
  const SampleSet set = normal_draws(3, 600, 2, 0.0, 1.0, 6);
  const auto s = summarise(set, {"x"});  // a missing name becomes p<k>
  REQUIRE(s.size() == 2);
  CHECK(s[1].name == "p1");
  for (Eigen::Index k = 0; k < 2; ++k) {
    diagnostics::Chains column;
    for (const Chain& c : set.chains) column.emplace_back(c.draws.col(k));
    const diagnostics::Diagnostics d = diagnostics::diagnose(column);
    const auto& r = s[static_cast<std::size_t>(k)];
    CHECK(r.rhat == d.rhat);
    CHECK(r.ess_bulk == d.ess_bulk);
    CHECK(r.ess_tail == d.ess_tail);
    CHECK(r.mcse_mean == d.mcse_mean);
    CHECK(r.iat == d.iat);
  }
}

TEST_CASE("chain summary of stuck chains: R-hat is infinite, or NaN without any variation", "[diagnostics]") {
  SampleSet stuck;
  for (int c = 0; c < 2; ++c) {
    Chain chain;
    chain.draws = Eigen::MatrixXd::Constant(50, 2, static_cast<double>(c));
    chain.draws.col(1).setConstant(7.0);  // column 1 never moves, in any chain
    chain.log_density.setZero(50);
    stuck.chains.push_back(chain);
  }
  const auto s = summarise(stuck, {"moved", "fixed"});
  CHECK(s[0].rhat == std::numeric_limits<double>::infinity());
  CHECK(s[1].sd == 0.0);
  CHECK(all_diagnostics_nan(s[1]));
}

TEST_CASE("chain summary of weighted draws: weighted moments, no diagnostics", "[diagnostics]") {
  // A two-point distribution.
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
  CHECK(all_diagnostics_nan(ws[0]));
}
