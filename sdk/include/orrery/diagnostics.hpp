// MCMC convergence and efficiency diagnostics for one scalar quantity.
//
// Header-only; depends on Eigen (including its FFT module) and the standard
// library. Every function is pure, allocates only its own temporaries, and is
// safe to call from several threads at once.
//
// Input convention. A quantity drawn by several chains is passed as `Chains`,
// one Eigen vector of draws per chain, in draw order. Chains may differ in
// length: every multi-chain function first cuts all chains to the length n of
// the shortest (keeping each chain's first n draws), so that every chain
// weighs the same. The "split" diagnostics then cut each chain into two halves
// of floor(n/2) draws (the middle draw of an odd n is dropped), which turns a
// trend inside a chain into a difference between chains.
//
// Degenerate input, the same rule everywhere:
//   * no chains, too few draws (see each function), or any non-finite draw
//     (NaN or ±inf): the result is NaN;
//   * every draw equal (a constant quantity): R-hat, ESS, MCSE and τ are NaN,
//     since there is no variation to diagnose;
//   * each chain constant, but not all at the same value (chains stuck in
//     different places): R-hat is +inf, the unmistakable "not converged".
// Stan and the R package posterior return NA for constant draws as well.
//
// References
//   [VGSCB21] A. Vehtari, A. Gelman, D. Simpson, B. Carpenter, P.-C. Bürkner
//             (2021). Rank-normalization, folding, and localization: an improved
//             R-hat for assessing convergence of MCMC. Bayesian Analysis 16, 667.
//   [BDA3]    A. Gelman et al. (2013). Bayesian Data Analysis, 3rd ed., §11.4–11.5.
//   [Geyer92] C. J. Geyer (1992). Practical Markov chain Monte Carlo.
//             Statistical Science 7, 473.
//   [Sokal97] A. Sokal (1997). Monte Carlo methods in statistical mechanics:
//             foundations and new algorithms. In Functional Integration, Springer.
//   [emcee]   D. Foreman-Mackey et al. (2013). emcee: the MCMC hammer. PASP 125,
//             306; estimator of `emcee.autocorr.integrated_time`.
//   [Acklam]  P. J. Acklam (2003). An algorithm for computing the inverse normal
//             cumulative distribution function.
#pragma once

#include <Eigen/Core>
#include <unsupported/Eigen/FFT>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <numeric>
#include <vector>

namespace orrery::diagnostics {

/// One vector of draws per chain, each in draw order.
using Chains = std::vector<Eigen::VectorXd>;

/// Everything `diagnose` computes for one scalar quantity (see the functions of
/// the same names for the definitions).
struct Diagnostics {
  double rhat = 0;       ///< max(rhat_bulk, rhat_tail)
  double rhat_bulk = 0;  ///< rank-normalised split R-hat
  double rhat_tail = 0;  ///< rank-normalised split R-hat of the folded draws
  double ess_bulk = 0;   ///< ESS of the rank-normalised split chains
  double ess_tail = 0;   ///< min ESS of the 5% and 95% quantile indicators
  double ess_mean = 0;   ///< ESS of the split chains (no rank normalisation)
  double mcse_mean = 0;  ///< Monte Carlo standard error of the mean
  double iat = 0;        ///< integrated autocorrelation time, emcee's estimator
};

// ---------------------------------------------------------------------------
// Normal distribution
// ---------------------------------------------------------------------------

/// Standard normal CDF Φ(x), through std::erfc (accurate in both tails).
inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

/// Inverse standard normal CDF Φ⁻¹(p) for p in [0, 1]: −inf at 0, +inf at 1,
/// NaN outside [0, 1] or for NaN. Acklam's rational approximation (relative
/// error below 1.15e-9) followed by one Halley step on Φ(x) = p, which brings
/// the relative error to about 1e-15 over the whole range (tested against
/// mpmath values down to p = 1e-300).
inline double inverse_normal_cdf(double p) {
  if (std::isnan(p) || p < 0.0 || p > 1.0) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0.0) return -std::numeric_limits<double>::infinity();
  if (p == 1.0) return std::numeric_limits<double>::infinity();
  // Work in the lower half, where 1 − p is exact (Sterbenz) and Φ(x) − p is
  // computed without cancellation.
  if (p > 0.5) return -inverse_normal_cdf(1.0 - p);

  constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                          1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                          6.680131188771972e+01, -1.328068155288572e+01};
  constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                          -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                          3.754408661907416e+00};
  constexpr double p_low = 0.02425;

  double x = 0, residual = 0;  // residual = Φ(x) − p
  if (p < p_low) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    residual = normal_cdf(x) - p;  // both terms ≈ p: erfc keeps relative accuracy
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    // Φ(x) − 1/2 through erf keeps the relative accuracy of small x near p = 1/2.
    residual = 0.5 * std::erf(x / std::numbers::sqrt2) - q;
  }
  // Halley step: u = residual / φ(x). Skipped in the far tail (p below ~1e-308)
  // where φ(x) underflows; Acklam's value stands there.
  const double u = residual * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
  if (std::isfinite(u)) x -= u / (1.0 + 0.5 * x * u);
  return x;
}

// ---------------------------------------------------------------------------
// Autocorrelation of one chain
// ---------------------------------------------------------------------------

/// Autocovariance of one chain at lags 0..n−1, with the chain's own mean
/// removed and the "biased" normalisation 1/n at every lag (Geyer 1992; the
/// estimate is then positive semi-definite). O(n log n) through a zero-padded
/// FFT. Empty input gives an empty vector; a non-finite draw gives all NaN.
inline Eigen::VectorXd autocovariance(const Eigen::VectorXd& x) {
  const Eigen::Index n = x.size();
  if (n == 0) return {};
  if (!x.allFinite()) return Eigen::VectorXd::Constant(n, std::numeric_limits<double>::quiet_NaN());
  // Padding to ≥ 2n makes the circular correlation equal the linear one.
  Eigen::Index size = 4;
  while (size < 2 * n) size *= 2;
  std::vector<double> series(static_cast<std::size_t>(size), 0.0);
  const double mean = x.mean();
  for (Eigen::Index t = 0; t < n; ++t) series[static_cast<std::size_t>(t)] = x[t] - mean;

  // One FFT object per thread keeps its plans (twiddle tables) from call to
  // call, which matters when a summary diagnoses many parameters.
  thread_local Eigen::FFT<double> fft;
  fft.SetFlag(Eigen::FFT<double>::HalfSpectrum);  // real input: bins 0..size/2 suffice
  std::vector<std::complex<double>> spectrum(static_cast<std::size_t>(size / 2 + 1));
  fft.fwd(spectrum.data(), series.data(), size);
  for (auto& f : spectrum) f = std::norm(f);  // power spectrum |F|²
  fft.inv(series.data(), spectrum.data(), size);  // scaled by 1/size

  Eigen::VectorXd acov(n);
  for (Eigen::Index t = 0; t < n; ++t) acov[t] = series[static_cast<std::size_t>(t)] / static_cast<double>(n);
  return acov;
}

/// Normalised autocorrelation ρ(k) = γ(k)/γ(0) of one chain at lags 0..n−1
/// (ρ(0) = 1), from `autocovariance`. Empty input gives an empty vector; a
/// constant chain or a non-finite draw gives all NaN.
inline Eigen::VectorXd autocorrelation(const Eigen::VectorXd& x) {
  Eigen::VectorXd acov = autocovariance(x);
  if (acov.size() == 0) return acov;
  if (!(acov[0] > 0)) return Eigen::VectorXd::Constant(acov.size(), std::numeric_limits<double>::quiet_NaN());
  return acov / acov[0];
}

// ---------------------------------------------------------------------------
// Chain transformations
// ---------------------------------------------------------------------------

namespace detail {
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline bool all_finite(const Chains& chains) {
  return std::all_of(chains.begin(), chains.end(), [](const Eigen::VectorXd& c) { return c.allFinite(); });
}

/// True when every draw of every chain has the same value (no chains: true).
inline bool all_equal(const Chains& chains) {
  const Eigen::VectorXd* first = nullptr;
  for (const auto& c : chains)
    if (c.size() > 0) {
      first = &c;
      break;
    }
  if (!first) return true;
  const double v = (*first)[0];
  return std::all_of(chains.begin(), chains.end(), [v](const Eigen::VectorXd& c) { return (c.array() == v).all(); });
}

inline Eigen::Index shortest(const Chains& chains) {
  Eigen::Index n = chains.empty() ? 0 : chains.front().size();
  for (const auto& c : chains) n = std::min(n, c.size());
  return n;
}

/// All draws of all chains, sorted ascending (no NaN allowed).
inline std::vector<double> sorted_draws(const Chains& chains) {
  std::vector<double> all;
  for (const auto& c : chains) all.insert(all.end(), c.data(), c.data() + c.size());
  std::sort(all.begin(), all.end());
  return all;
}

/// Quantile of sorted draws by linear interpolation between order statistics
/// (Hyndman & Fan type 7, the default of R and NumPy).
inline double quantile_of_sorted(const std::vector<double>& sorted, double prob) {
  if (sorted.empty()) return kNaN;
  const double h = (static_cast<double>(sorted.size()) - 1.0) * prob;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

/// Unbiased (1/(n−1)) sample variance.
inline double sample_variance(const Eigen::VectorXd& x) {
  return (x.array() - x.mean()).square().sum() / static_cast<double>(x.size() - 1);
}

/// Unbiased variance of all draws of all chains together (NaN for < 2 draws).
inline double pooled_variance(const Chains& chains) {
  Eigen::Index total = 0;
  for (const auto& c : chains) total += c.size();
  if (total < 2) return kNaN;
  Eigen::VectorXd pooled(total);
  Eigen::Index at = 0;
  for (const auto& c : chains) {
    pooled.segment(at, c.size()) = c;
    at += c.size();
  }
  return sample_variance(pooled);
}

/// Chains of the same shape with every value NaN.
inline Chains nan_like(const Chains& chains) {
  Chains out;
  for (const auto& c : chains) out.push_back(Eigen::VectorXd::Constant(c.size(), kNaN));
  return out;
}

/// The autocovariance γ(t) averaged over equal-length chains (each with its own
/// mean removed, biased 1/n normalisation), or with `normalised` the average of
/// each chain's autocorrelation γ_j(t)/γ_j(0). Lags are produced on demand:
/// the first kDirectLags by direct sums, all of them by FFT once a caller
/// asks for more. Well-mixed chains, where Geyer's and Sokal's truncations stop
/// after a few lags, then cost O(n·kDirectLags) instead of an FFT per chain.
class ChainAverageAutocovariance {
 public:
  static constexpr Eigen::Index kDirectLags = 32;

  ChainAverageAutocovariance(const Chains& chains, bool normalised) {
    n_ = chains.empty() ? 0 : chains.front().size();
    for (const auto& c : chains) {
      centred_.emplace_back(c.array() - c.mean());
      const double sum_sq = centred_.back().squaredNorm();
      weight_.push_back(normalised ? 1.0 / sum_sq : 1.0 / static_cast<double>(n_));
    }
    values_ = direct_sums(std::min(n_, kDirectLags));
  }

  /// Lags 0..size()−1 exist.
  Eigen::Index size() const { return n_; }

  double operator()(Eigen::Index lag) {
    if (lag >= values_.size()) values_ = all_lags();
    return values_[lag];
  }

 private:
  Eigen::VectorXd direct_sums(Eigen::Index lags) const {
    Eigen::VectorXd out = Eigen::VectorXd::Zero(lags);
    for (std::size_t j = 0; j < centred_.size(); ++j)
      for (Eigen::Index t = 0; t < lags; ++t)
        out[t] += weight_[j] * centred_[j].head(n_ - t).dot(centred_[j].tail(n_ - t));
    return out / static_cast<double>(centred_.size());
  }

  Eigen::VectorXd all_lags() const {
    Eigen::VectorXd out = Eigen::VectorXd::Zero(n_);
    // autocovariance() divides by n; rescale to this object's weights.
    for (std::size_t j = 0; j < centred_.size(); ++j)
      out += autocovariance(centred_[j]) * (weight_[j] * static_cast<double>(n_));
    return out / static_cast<double>(centred_.size());
  }

  Eigen::Index n_ = 0;
  std::vector<Eigen::VectorXd> centred_;
  std::vector<double> weight_;
  Eigen::VectorXd values_;
};

/// R-hat of equal-length chains as given (no splitting): BDA3 eq. 11.3–11.4,
/// sqrt(((n−1)/n·W + B/n) / W). Needs ≥ 2 chains of ≥ 2 draws.
inline double rhat_of(const Chains& chains) {
  if (chains.size() < 2 || chains.front().size() < 2 || !all_finite(chains) || all_equal(chains)) return kNaN;
  // Decided on the draws, not on W: the W of constant chains can come out as a
  // rounding residue rather than 0.
  const bool each_constant = std::all_of(chains.begin(), chains.end(), [](const Eigen::VectorXd& c) {
    return (c.array() == c[0]).all();
  });
  if (each_constant) return std::numeric_limits<double>::infinity();  // constant chains that disagree
  const auto m = static_cast<Eigen::Index>(chains.size());
  const auto n = static_cast<double>(chains.front().size());
  Eigen::VectorXd means(m);
  double within = 0;  // W: mean within-chain variance
  for (Eigen::Index j = 0; j < m; ++j) {
    const auto& c = chains[static_cast<std::size_t>(j)];
    means[j] = c.mean();
    within += sample_variance(c);
  }
  within /= static_cast<double>(m);
  const double var_plus = (n - 1.0) / n * within + sample_variance(means);  // B/n = var(chain means)
  return std::sqrt(var_plus / within);
}

/// Effective sample size of equal-length chains as given (no splitting), as
/// in Stan and [VGSCB21] §3.2: autocorrelations ρ(t) = 1 − (W − mean_j γ_j(t)) / var⁺
/// combined over chains, truncated by Geyer's initial positive sequence and
/// made monotone (Geyer's initial monotone sequence), τ = −1 + 2 Σ_{t<T} ρ(t) + ρ(T);
/// τ is floored at 1/log10(mn) (Stan's cap for antithetic chains), ESS = mn/τ.
/// Needs ≥ 3 draws per chain.
inline double ess_of(const Chains& chains) {
  if (chains.empty() || chains.front().size() < 3 || !all_finite(chains) || all_equal(chains)) return kNaN;
  const auto m = static_cast<Eigen::Index>(chains.size());
  const Eigen::Index n = chains.front().size();
  const auto nd = static_cast<double>(n);

  ChainAverageAutocovariance mean_acov(chains, false);
  Eigen::VectorXd means(m);
  for (Eigen::Index j = 0; j < m; ++j) means[j] = chains[static_cast<std::size_t>(j)].mean();
  const double within = mean_acov(0) * nd / (nd - 1.0);
  const double var_plus = mean_acov(0) + (m > 1 ? sample_variance(means) : 0.0);
  auto rho_at = [&](Eigen::Index t) { return 1.0 - (within - mean_acov(t)) / var_plus; };

  // Initial positive sequence: sum pairs (ρ(2k), ρ(2k+1)) while the pair sum is positive.
  Eigen::VectorXd rho = Eigen::VectorXd::Zero(n);
  rho[0] = 1.0;
  rho[1] = rho_at(1);
  double even = 1.0, odd = rho[1];
  Eigen::Index t = 0;
  while (t < n - 5 && std::isfinite(even + odd) && even + odd > 0) {
    t += 2;
    even = rho_at(t);
    odd = rho_at(t + 1);
    if (even + odd >= 0) {
      rho[t] = even;
      rho[t + 1] = odd;
    }
  }
  const Eigen::Index max_t = t;
  if (even > 0) rho[max_t] = even;  // half of the last pair: lowers variance for antithetic chains

  // Initial monotone sequence: no pair sum may exceed the previous one.
  for (Eigen::Index s = 2; s <= max_t - 2; s += 2) {
    const double previous = rho[s - 2] + rho[s - 1];
    if (rho[s] + rho[s + 1] > previous) rho[s] = rho[s + 1] = previous / 2;
  }

  const double total = static_cast<double>(m) * nd;
  double tau = -1.0 + 2.0 * rho.head(max_t).sum() + rho[max_t];
  tau = std::max(tau, 1.0 / std::log10(total));
  return total / tau;
}
}  // namespace detail

/// Cuts every chain to the length of the shortest, keeping its first draws.
inline Chains truncate_to_shortest(const Chains& chains) {
  const Eigen::Index n = detail::shortest(chains);
  Chains out;
  out.reserve(chains.size());
  for (const auto& c : chains) out.emplace_back(c.head(n));
  return out;
}

/// Cuts every chain to the shortest length n, then into halves of floor(n/2)
/// draws (first half, second half; an odd n drops the middle draw). Gives 2m
/// chains, or none when n < 2.
inline Chains split_chains(const Chains& chains) {
  const Eigen::Index n = detail::shortest(chains), half = n / 2;
  Chains out;
  if (half == 0) return out;
  for (const auto& c : chains) {
    out.emplace_back(c.head(half));
    out.emplace_back(c.segment(n - half, half));
  }
  return out;
}

/// Rank normalisation [VGSCB21 eq. 14]: every draw is replaced by
/// Φ⁻¹((r − 3/8) / (S + 1/4)), where r is its rank among all S draws of all
/// chains (ties get their average rank). Keeps each chain's length; any
/// non-finite draw makes every output NaN.
inline Chains rank_normalise(const Chains& chains) {
  if (!detail::all_finite(chains)) return detail::nan_like(chains);
  struct Draw {
    double value;
    std::size_t chain;
    Eigen::Index index;
  };
  std::vector<Draw> draws;
  for (std::size_t j = 0; j < chains.size(); ++j)
    for (Eigen::Index i = 0; i < chains[j].size(); ++i) draws.push_back({chains[j][i], j, i});
  std::sort(draws.begin(), draws.end(), [](const Draw& a, const Draw& b) { return a.value < b.value; });

  Chains out;
  for (const auto& c : chains) out.emplace_back(c.size());
  const auto total = static_cast<double>(draws.size());
  for (std::size_t first = 0; first < draws.size();) {
    std::size_t last = first + 1;  // one past the run of ties
    while (last < draws.size() && draws[last].value == draws[first].value) ++last;
    const double rank = 0.5 * static_cast<double>(first + 1 + last);  // mean of ranks first+1..last
    const double z = inverse_normal_cdf((rank - 0.375) / (total + 0.25));
    for (std::size_t k = first; k < last; ++k) out[draws[k].chain][draws[k].index] = z;
    first = last;
  }
  return out;
}

/// Folded draws |x − median| [VGSCB21 §4.2], with the median of all draws of all
/// chains. Keeps each chain's length; any non-finite draw makes every output NaN.
inline Chains fold(const Chains& chains) {
  if (!detail::all_finite(chains)) return detail::nan_like(chains);
  const double median = detail::quantile_of_sorted(detail::sorted_draws(chains), 0.5);
  Chains out;
  for (const auto& c : chains) out.emplace_back((c.array() - median).abs().matrix());
  return out;
}

// ---------------------------------------------------------------------------
// Integrated autocorrelation time (emcee)
// ---------------------------------------------------------------------------

/// Integrated autocorrelation time τ of several chains by emcee's estimator
/// [emcee, Sokal97]: the normalised autocorrelation ρ(k) of each chain (own mean
/// removed) is averaged over chains, τ(M) = 2 Σ_{k=0}^{M} ρ(k) − 1, and τ = τ(M)
/// at the first window M ≥ c·τ(M) (c = 5 is emcee's and Sokal's default).
/// Chains are cut to the shortest; not split. Needs ≥ 2 draws per chain; NaN if
/// any chain is constant or holds a non-finite draw.
/// If no window satisfies M ≥ c·τ(M), the chains are far too short and τ(n−1) is
/// returned (emcee returns τ(0) = 1 there). As emcee warns, τ is reliable only
/// when each chain is longer than about 50 τ.
/// Antithetic chains (HMC on a Gaussian: ρ(1) < 0) can stop the window at a
/// τ(M) near or below 0; τ is therefore floored at 1/log10(max(S, 10)), S the
/// number of draws in all, the floor Stan applies to its ESS (so S/τ ≤ S·log10 S).
inline double integrated_autocorrelation_time(const Chains& chains, double c = 5.0) {
  const Chains cut = truncate_to_shortest(chains);
  if (cut.empty() || cut.front().size() < 2) return detail::kNaN;
  if (!detail::all_finite(cut)) return detail::kNaN;
  for (const auto& x : cut)
    if ((x.array() == x[0]).all()) return detail::kNaN;  // autocorrelation undefined
  const Eigen::Index n = cut.front().size();
  detail::ChainAverageAutocovariance rho(cut, true);

  double cumulative = 0, tau = detail::kNaN;
  for (Eigen::Index lag = 0; lag < n; ++lag) {
    cumulative += rho(lag);
    tau = 2.0 * cumulative - 1.0;
    if (static_cast<double>(lag) >= c * tau) break;
  }
  const double total = static_cast<double>(n) * static_cast<double>(cut.size());
  return std::max(tau, 1.0 / std::log10(std::max(total, 10.0)));
}

/// Integrated autocorrelation time of one chain (see the multi-chain overload).
inline double integrated_autocorrelation_time(const Eigen::VectorXd& x, double c = 5.0) {
  return integrated_autocorrelation_time(Chains{x}, c);
}

// ---------------------------------------------------------------------------
// R-hat
// ---------------------------------------------------------------------------

/// Classic split R-hat [BDA3 §11.4]: the potential scale reduction of the split
/// chains, without rank normalisation. ≥ 1 for most inputs, → 1 as chains mix.
/// Needs ≥ 4 draws per chain (2 per half); a single chain works (two halves).
inline double split_rhat(const Chains& chains) { return detail::rhat_of(split_chains(chains)); }

/// Bulk R-hat [VGSCB21 §4.1]: split R-hat of the rank-normalised draws. Robust to
/// heavy tails (rank normalisation gives every quantity a finite variance);
/// detects chains whose locations differ. Needs ≥ 4 draws per chain.
inline double rhat_bulk(const Chains& chains) {
  return detail::rhat_of(rank_normalise(split_chains(chains)));
}

/// Tail R-hat [VGSCB21 §4.2]: split R-hat of the rank-normalised folded draws
/// |x − median| (median of the draws cut to the shortest chain). Detects chains
/// with equal locations but different scales, which bulk R-hat misses.
/// Needs ≥ 4 draws per chain.
inline double rhat_tail(const Chains& chains) {
  return detail::rhat_of(rank_normalise(split_chains(fold(truncate_to_shortest(chains)))));
}

/// The R-hat to report [VGSCB21 §4.2]: max(rhat_bulk, rhat_tail). If exactly one
/// of the two is NaN (e.g. folded draws all equal, as for a symmetric two-valued
/// quantity), the other is returned. VGSCB21 recommend R-hat < 1.01.
inline double rhat(const Chains& chains) { return std::fmax(rhat_bulk(chains), rhat_tail(chains)); }

// ---------------------------------------------------------------------------
// Effective sample size and Monte Carlo standard error
// ---------------------------------------------------------------------------

/// ESS for the mean [VGSCB21 §3.2]: Stan's multi-chain ESS (Geyer's initial
/// monotone sequence) of the split chains, without rank normalisation; the
/// ESS behind `mcse_mean`. Needs ≥ 6 draws per chain (3 per half).
inline double ess_mean(const Chains& chains) { return detail::ess_of(split_chains(chains)); }

/// Bulk ESS [VGSCB21 §4.3]: ESS of the rank-normalised split chains; the
/// sampling efficiency in the bulk of the distribution, defined even for
/// quantities without a finite variance. Needs ≥ 6 draws per chain.
inline double ess_bulk(const Chains& chains) { return detail::ess_of(rank_normalise(split_chains(chains))); }

/// Tail ESS [VGSCB21 §4.3]: min of the split-chain ESS of the indicators
/// I(x ≤ q05) and I(x ≤ q95), with q05, q95 the 5% and 95% quantiles (type 7)
/// of all draws cut to the shortest chain; the efficiency for the 5%–95%
/// interval. If exactly one indicator is constant (heavily tied draws), the
/// other's ESS is returned. Needs ≥ 6 draws per chain.
inline double ess_tail(const Chains& chains) {
  const Chains cut = truncate_to_shortest(chains);
  if (!detail::all_finite(cut)) return detail::kNaN;
  const std::vector<double> sorted = detail::sorted_draws(cut);
  double ess = detail::kNaN;
  for (const double prob : {0.05, 0.95}) {
    const double q = detail::quantile_of_sorted(sorted, prob);
    Chains indicator;
    for (const auto& x : cut) indicator.emplace_back((x.array() <= q).cast<double>().matrix());
    ess = std::fmin(ess, detail::ess_of(split_chains(indicator)));
  }
  return ess;
}

/// Monte Carlo standard error of the mean: sd / sqrt(ess_mean), with sd the
/// standard deviation (1/(S−1)) of all S draws cut to the shortest chain.
inline double mcse_mean(const Chains& chains) {
  return std::sqrt(detail::pooled_variance(truncate_to_shortest(chains)) / ess_mean(chains));
}

/// All diagnostics of one scalar quantity at once.
inline Diagnostics diagnose(const Chains& chains) {
  Diagnostics d;
  // The same numbers as the single functions; split chains and their rank
  // normalisation are computed once.
  const Chains split = split_chains(chains);
  const Chains ranked = rank_normalise(split);
  d.rhat_bulk = detail::rhat_of(ranked);
  d.rhat_tail = rhat_tail(chains);
  d.rhat = std::fmax(d.rhat_bulk, d.rhat_tail);
  d.ess_bulk = detail::ess_of(ranked);
  d.ess_tail = ess_tail(chains);
  d.ess_mean = detail::ess_of(split);
  d.mcse_mean = std::sqrt(detail::pooled_variance(truncate_to_shortest(chains)) / d.ess_mean);
  d.iat = integrated_autocorrelation_time(chains);
  return d;
}

}  // namespace orrery::diagnostics
