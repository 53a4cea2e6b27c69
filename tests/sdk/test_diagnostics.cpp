// orrery/diagnostics.hpp against analytic references: high-precision values of the
// inverse normal CDF (mpmath), the AR(1) process with known autocorrelation
// time, iid draws (ESS = number of draws), and chains built to fail R-hat.
//
// Monte Carlo tolerances are 4σ of the estimator's sampling error. For an
// integrated autocorrelation time summed over a window of M lags from N draws
// in all, Sokal (1997) gives var(τ̂)/τ² ≈ 2(2M + 1)/N; ESS = N/τ has the same
// relative error. The AR(1) windows are M ≈ 5τ; for iid draws M ≈ 5 (Sokal) or
// a few pairs of lags (Geyer). Spreads measured over 40 seeds were at or below
// these: AR(1) φ = 0.9, 4 × 100 000 draws: σ(τ̂)/τ = 2.7% (formula 3.1%); iid,
// 4 × 10 000: σ(ESS)/N = 1.4–1.6% (formula 2.3%).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include <orrery/diagnostics.hpp>
#include <orrery/random.hpp>

namespace dx = orrery::diagnostics;
using dx::Chains;
using orrery::RandomStream;

namespace {
/// AR(1) chains x_t = φ x_{t-1} + sqrt(1-φ²) ε_t, started in the stationary
/// N(0, 1): ρ(k) = φ^k, τ = (1+φ)/(1-φ).
Chains ar1_chains(int chains, int n, double phi, std::uint64_t seed) {
  RandomStream rng(seed);
  Chains out;
  for (int c = 0; c < chains; ++c) {
    Eigen::VectorXd x(n);
    double v = rng.normal();
    for (int t = 0; t < n; ++t) {
      v = phi * v + std::sqrt(1 - phi * phi) * rng.normal();
      x[t] = v;
    }
    out.push_back(x);
  }
  return out;
}

/// iid chains: draw(rng, chain index) for every draw.
template <class Draw>
Chains iid_chains(int chains, int n, std::uint64_t seed, Draw draw) {
  RandomStream rng(seed);
  Chains out;
  for (int c = 0; c < chains; ++c) {
    Eigen::VectorXd x(n);
    for (int t = 0; t < n; ++t) x[t] = draw(rng, c);
    out.push_back(x);
  }
  return out;
}

Chains normal_chains(int chains, int n, std::uint64_t seed) {
  return iid_chains(chains, n, seed, [](RandomStream& rng, int) { return rng.normal(); });
}

/// 4σ relative tolerance of an autocorrelation-time (or ESS) estimate with a
/// window of M lags from N draws in all (Sokal 1997).
double four_sigma(double window, double total_draws) { return 4.0 * std::sqrt(2.0 * (2.0 * window + 1.0) / total_draws); }

/// emcee's integrated_time written out directly: O(n²) autocorrelation sums,
/// averaged over chains, first window M ≥ c τ(M). An independent check of the
/// FFT path and of the window rule.
double direct_integrated_time(const Chains& chains, double c = 5.0) {
  const Eigen::Index n = chains.front().size();
  double cumulative = 0, tau = 0;
  for (Eigen::Index lag = 0; lag < n; ++lag) {
    double rho = 0;
    for (const auto& x : chains) {
      const Eigen::VectorXd d = x.array() - x.mean();
      rho += d.head(n - lag).dot(d.tail(n - lag)) / d.squaredNorm();
    }
    cumulative += rho / static_cast<double>(chains.size());
    tau = 2 * cumulative - 1;
    if (static_cast<double>(lag) >= c * tau) return tau;
  }
  return tau;
}

constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

// ---------------------------------------------------------------------------

TEST_CASE("inverse normal CDF matches high-precision references", "[diagnostics]") {
  // p (the double shown) and Φ⁻¹(p) from mpmath at 60 digits.
  const std::vector<std::pair<double, double>> cases = {
      {0.975, 1.959963984540053855604},   {0.9, 1.281551565544600593487},
      {0.3, -0.5244005127080408159695},   {0.05, -1.644853626951472687952},
      {0.02425, -1.972961051311884837603}, {0.001, -3.090232306167813535358},
      {0.999, 3.090232306167813277758},   {1e-10, -6.3613409024040561991},
      {1e-20, -9.262340089798407579572},  {1e-300, -37.04709629936119923655},
      {0.5 + 0x1p-40, 2.279765135091111462694e-12}};
  for (const auto& [p, x] : cases) {
    INFO("p = " << p);
    CHECK(dx::inverse_normal_cdf(p) == Approx(x).epsilon(1e-15).margin(0));
  }
  CHECK(dx::inverse_normal_cdf(0.975) == Approx(1.959963984540054).epsilon(1e-15));
  CHECK(dx::inverse_normal_cdf(0.5) == 0.0);
  CHECK(dx::inverse_normal_cdf(0.0) == -kInf);
  CHECK(dx::inverse_normal_cdf(1.0) == kInf);
  CHECK(std::isnan(dx::inverse_normal_cdf(-0.1)));
  CHECK(std::isnan(dx::inverse_normal_cdf(1.1)));
  CHECK(std::isnan(dx::inverse_normal_cdf(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("inverse normal CDF inverts the CDF and is odd about 1/2", "[diagnostics]") {
  for (double p = 1e-6; p < 1; p += 0.0123457) {
    INFO("p = " << p);
    const double x = dx::inverse_normal_cdf(p);
    CHECK(dx::normal_cdf(x) == Approx(p).epsilon(1e-14));
    const double q = 1 - p, mirrored = 1 - q;  // 1 − q is exact; q may have been rounded
    CHECK(dx::inverse_normal_cdf(q) == Approx(-dx::inverse_normal_cdf(mirrored)).epsilon(1e-15).margin(1e-300));
  }
}

// ---------------------------------------------------------------------------

TEST_CASE("FFT autocorrelation equals the direct sums", "[diagnostics]") {
  const Eigen::VectorXd x = ar1_chains(1, 1001, 0.7, 17).front();  // odd length, not a power of two
  const Eigen::VectorXd rho = dx::autocorrelation(x);
  const Eigen::VectorXd acov = dx::autocovariance(x);
  REQUIRE(rho.size() == x.size());
  const Eigen::VectorXd d = x.array() - x.mean();
  const auto n = x.size();
  CHECK(rho[0] == Approx(1.0).epsilon(1e-15));
  for (Eigen::Index k = 0; k < n; ++k) {
    const double direct = d.head(n - k).dot(d.tail(n - k)) / static_cast<double>(n);
    REQUIRE(acov[k] == Approx(direct).margin(1e-13));
    REQUIRE(rho[k] == Approx(direct / acov[0]).margin(1e-13));
  }
  CHECK(dx::autocorrelation(Eigen::VectorXd()).size() == 0);
  CHECK(dx::autocorrelation(Eigen::VectorXd::Constant(10, 2.0)).array().isNaN().all());
}

TEST_CASE("integrated autocorrelation time of AR(1) chains is (1+φ)/(1-φ)", "[diagnostics]") {
  constexpr int kChains = 4, kDraws = 100000;
  for (const double phi : {0.5, 0.9}) {
    const double tau = (1 + phi) / (1 - phi);
    const double tol = four_sigma(5 * tau, kChains * kDraws);  // 5.0% for φ = 0.5, 12.4% for 0.9
    const auto chains = ar1_chains(kChains, kDraws, phi, 2024);
    const double estimate = dx::integrated_autocorrelation_time(chains);
    INFO("phi = " << phi << ": tau = " << estimate << ", expected " << tau << " ± " << 100 * tol / 4 << "%");
    CHECK(estimate == Approx(tau).epsilon(tol));
  }
}

TEST_CASE("integrated autocorrelation time follows emcee's window rule", "[diagnostics]") {
  const auto chains = ar1_chains(3, 3000, 0.8, 5);
  CHECK(dx::integrated_autocorrelation_time(chains) == Approx(direct_integrated_time(chains)).epsilon(1e-10));
  CHECK(dx::integrated_autocorrelation_time(chains, 8.0) == Approx(direct_integrated_time(chains, 8.0)).epsilon(1e-10));
  // One chain: the single-chain overload is the multi-chain one with one chain.
  CHECK(dx::integrated_autocorrelation_time(chains[1]) == dx::integrated_autocorrelation_time(Chains{chains[1]}));
  // iid: τ = 1.
  CHECK(dx::integrated_autocorrelation_time(normal_chains(4, 10000, 8)) == Approx(1.0).epsilon(four_sigma(5, 40000)));
}

// ---------------------------------------------------------------------------

TEST_CASE("ESS of AR(1) chains is N/τ", "[diagnostics]") {
  constexpr int kChains = 4, kDraws = 100000;
  for (const double phi : {0.5, 0.9}) {
    const double tau = (1 + phi) / (1 - phi);
    const double expected = kChains * kDraws / tau;
    const double tol = four_sigma(5 * tau, kChains * kDraws);
    const auto chains = ar1_chains(kChains, kDraws, phi, 2025);
    INFO("phi = " << phi << ": N/tau = " << expected);
    CHECK(dx::ess_mean(chains) == Approx(expected).epsilon(tol));
    CHECK(dx::ess_bulk(chains) == Approx(expected).epsilon(tol));
  }
}

TEST_CASE("antithetic chains: ESS above the number of draws, τ floored", "[diagnostics]") {
  // φ = −0.5: τ = 1/3, ESS = 3N. Geyer's pairs handle negative ρ(1); spread of
  // ESS/3N over 40 seeds 2.4%, so 4σ ≈ 10%.
  constexpr double kTotal = 4 * 10000;
  const auto chains = ar1_chains(4, 10000, -0.5, 2026);
  CHECK(dx::ess_mean(chains) == Approx(3 * kTotal).epsilon(0.1));
  CHECK(dx::ess_bulk(chains) == Approx(3 * kTotal).epsilon(0.1));
  // emcee's window stops at lag 1 where τ(1) = 1 + 2ρ(1) ≈ 0; the floor keeps τ positive.
  CHECK(dx::integrated_autocorrelation_time(chains) == Approx(1 / std::log10(kTotal)));
}

TEST_CASE("ESS of iid draws is the number of draws, in the bulk and in the tails", "[diagnostics]") {
  constexpr int kChains = 4, kDraws = 10000;
  constexpr double kTotal = kChains * kDraws;
  const double tol = four_sigma(4, kTotal);  // 7.5%
  const auto normal = normal_chains(kChains, kDraws, 31);
  CHECK(dx::ess_mean(normal) == Approx(kTotal).epsilon(tol));
  CHECK(dx::ess_bulk(normal) == Approx(kTotal).epsilon(tol));
  CHECK(dx::ess_tail(normal) == Approx(kTotal).epsilon(tol));
  // MCSE of the mean: sd/sqrt(N), relative error ½ that of the ESS plus that of sd.
  CHECK(dx::mcse_mean(normal) == Approx(1 / std::sqrt(kTotal)).epsilon(tol / 2 + 4 / std::sqrt(2 * kTotal)));

  // Cauchy draws have no variance, but ranks and quantile indicators do.
  const auto cauchy = iid_chains(kChains, kDraws, 32, [](RandomStream& rng, int) {
    return std::tan(std::numbers::pi * (rng.uniform_open() - 0.5));
  });
  const double tail = dx::ess_tail(cauchy);
  REQUIRE(std::isfinite(tail));
  CHECK(tail == Approx(kTotal).epsilon(tol));
  CHECK(dx::ess_bulk(cauchy) == Approx(kTotal).epsilon(tol));
  CHECK(dx::rhat(cauchy) < 1.01);
}

// ---------------------------------------------------------------------------

TEST_CASE("R-hat is near 1 for iid chains", "[diagnostics]") {
  // |R-hat − 1| ≈ sqrt(2/(m−1)) / (2n) ≈ 5e-4 for m = 8 halves of n = 500.
  const auto chains = normal_chains(4, 1000, 41);
  for (const double r : {dx::split_rhat(chains), dx::rhat_bulk(chains), dx::rhat_tail(chains), dx::rhat(chains)}) {
    CHECK(r > 0.995);
    CHECK(r < 1.01);
  }
  CHECK(dx::rhat(chains) == std::fmax(dx::rhat_bulk(chains), dx::rhat_tail(chains)));
}

TEST_CASE("R-hat catches a chain with a shifted mean and a trend within chains", "[diagnostics]") {
  // One chain of four shifted by 2 sd: R-hat ≈ 1.32 (σ ≈ 0.01 over seeds).
  const auto shifted = iid_chains(4, 1000, 42, [](RandomStream& rng, int c) { return rng.normal() + (c == 0 ? 2.0 : 0.0); });
  CHECK(dx::split_rhat(shifted) > 1.1);
  CHECK(dx::rhat_bulk(shifted) > 1.1);
  CHECK(dx::rhat(shifted) > 1.1);

  // Every chain drifts by 3 sd from start to end; only splitting sees it (≈ 1.24).
  Chains trending = normal_chains(4, 1000, 43);
  for (auto& x : trending) x += Eigen::VectorXd::LinSpaced(x.size(), 0.0, 3.0);
  CHECK(dx::split_rhat(trending) > 1.1);
  CHECK(dx::rhat(trending) > 1.1);
}

TEST_CASE("tail R-hat catches chains with equal means but different scales", "[diagnostics]") {
  // One chain of four with sd 4: the bulk agrees (bulk R-hat 1.0001 ± 0.0004
  // over 40 seeds), the folded draws do not (tail R-hat 1.203 ± 0.006).
  const auto chains = iid_chains(4, 2000, 44, [](RandomStream& rng, int c) { return (c == 0 ? 4.0 : 1.0) * rng.normal(); });
  CHECK(dx::split_rhat(chains) < 1.01);  // the classic R-hat misses it
  CHECK(dx::rhat_bulk(chains) < 1.01);
  CHECK(dx::rhat_tail(chains) > 1.1);
  CHECK(dx::rhat(chains) == dx::rhat_tail(chains));
}

// ---------------------------------------------------------------------------

TEST_CASE("split, rank-normalise and fold follow their definitions", "[diagnostics]") {
  Eigen::VectorXd a(5), b(6);
  a << 1, 2, 3, 4, 5;
  b << 6, 7, 8, 9, 10, 11;
  const Chains split = dx::split_chains({a, b});  // cut to 5 draws; the middle one dropped
  REQUIRE(split.size() == 4);
  CHECK(split[0] == Eigen::Vector2d(1, 2));
  CHECK(split[1] == Eigen::Vector2d(4, 5));
  CHECK(split[2] == Eigen::Vector2d(6, 7));
  CHECK(split[3] == Eigen::Vector2d(9, 10));
  CHECK(dx::split_chains({Eigen::VectorXd::Ones(1)}).empty());

  // Ties share their average rank: ranks 1, 2.5, 2.5, 4 of S = 4 draws.
  Eigen::VectorXd tied(4);
  tied << 1, 2, 2, 3;
  const Chains z = dx::rank_normalise({tied});
  const auto expected = [](double rank) { return dx::inverse_normal_cdf((rank - 0.375) / 4.25); };
  CHECK(z[0][0] == expected(1));
  CHECK(z[0][1] == expected(2.5));
  CHECK(z[0][2] == expected(2.5));
  CHECK(z[0][3] == expected(4));

  Eigen::VectorXd f(4);
  f << 10, 1, 3, 2;  // median 2.5
  CHECK(dx::fold({f})[0] == Eigen::Vector4d(7.5, 1.5, 0.5, 0.5));
}

TEST_CASE("degenerate chains give documented NaN and infinity", "[diagnostics]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto all_nan = [](const dx::Diagnostics& d) {
    return std::isnan(d.rhat) && std::isnan(d.rhat_bulk) && std::isnan(d.rhat_tail) && std::isnan(d.ess_bulk) &&
           std::isnan(d.ess_tail) && std::isnan(d.ess_mean) && std::isnan(d.mcse_mean) && std::isnan(d.iat);
  };
  CHECK(all_nan(dx::diagnose({})));
  CHECK(all_nan(dx::diagnose({Eigen::VectorXd(), Eigen::VectorXd()})));
  CHECK(all_nan(dx::diagnose({Eigen::VectorXd::Constant(100, 1.5), Eigen::VectorXd::Constant(100, 1.5)})));

  // A single non-finite draw poisons everything.
  for (const double bad : {nan, kInf}) {
    Chains chains = normal_chains(2, 100, 51);
    chains[1][7] = bad;
    CHECK(all_nan(dx::diagnose(chains)));
  }

  // Too short: R-hat needs 2 draws per half, ESS 3.
  const Chains three = normal_chains(2, 3, 52), five = normal_chains(2, 5, 53);
  CHECK(std::isnan(dx::rhat(three)));
  CHECK_FALSE(std::isnan(dx::rhat(five)));
  CHECK(std::isnan(dx::ess_bulk(five)));
  CHECK_FALSE(std::isnan(dx::ess_bulk(normal_chains(2, 6, 54))));

  // Chains stuck at different values: infinitely far from converged.
  const Chains stuck = {Eigen::VectorXd::Constant(100, 0.0), Eigen::VectorXd::Constant(100, 1.0)};
  CHECK(dx::split_rhat(stuck) == kInf);
  CHECK(dx::rhat(stuck) == kInf);
  CHECK(std::isnan(dx::integrated_autocorrelation_time(stuck)));
}

TEST_CASE("chains of different lengths are cut to the shortest", "[diagnostics]") {
  Chains chains = ar1_chains(3, 2000, 0.6, 61);
  chains[0].conservativeResize(1500);
  chains[2].conservativeResize(1700);
  const dx::Diagnostics uneven = dx::diagnose(chains);
  const dx::Diagnostics cut = dx::diagnose(dx::truncate_to_shortest(chains));
  CHECK(dx::truncate_to_shortest(chains)[1] == chains[1].head(1500));
  CHECK(uneven.rhat == cut.rhat);
  CHECK(uneven.ess_bulk == cut.ess_bulk);
  CHECK(uneven.ess_tail == cut.ess_tail);
  CHECK(uneven.mcse_mean == cut.mcse_mean);
  CHECK(uneven.iat == cut.iat);
  CHECK(uneven.mcse_mean == dx::mcse_mean(chains));
}
