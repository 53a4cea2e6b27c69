#include "chain_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace orrery::kernel {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Splits every chain into halves (dropping the middle draw of odd lengths).
std::vector<Eigen::VectorXd> split_halves(const std::vector<Eigen::VectorXd>& chains) {
  std::vector<Eigen::VectorXd> out;
  for (const auto& c : chains) {
    const Eigen::Index half = c.size() / 2;
    if (half < 2) continue;
    out.emplace_back(c.head(half));
    out.emplace_back(c.tail(half));
  }
  return out;
}

double variance(const Eigen::VectorXd& x) {
  const double m = x.mean();
  return (x.array() - m).square().sum() / static_cast<double>(x.size() - 1);
}

/// Mean within-chain variance W and the variance of the chain means.
struct ChainMoments {
  double within;
  double between_means;
};
ChainMoments chain_moments(const std::vector<Eigen::VectorXd>& chains) {
  Eigen::VectorXd means(static_cast<Eigen::Index>(chains.size()));
  double w = 0;
  for (std::size_t j = 0; j < chains.size(); ++j) {
    means[static_cast<Eigen::Index>(j)] = chains[j].mean();
    w += variance(chains[j]);
  }
  return {w / static_cast<double>(chains.size()), chains.size() > 1 ? variance(means) : 0.0};
}

/// Autocovariance at lags 0..max_lag (biased normalisation, as in Geyer 1992).
Eigen::VectorXd autocovariance(const Eigen::VectorXd& x, Eigen::Index max_lag) {
  const Eigen::Index n = x.size();
  const Eigen::VectorXd d = x.array() - x.mean();
  Eigen::VectorXd acov(max_lag + 1);
  for (Eigen::Index t = 0; t <= max_lag; ++t) acov[t] = d.head(n - t).dot(d.tail(n - t)) / static_cast<double>(n);
  return acov;
}

double weighted_quantile(std::vector<std::pair<double, double>>& vw, double q) {
  // vw: (value, weight) sorted by value; linear interpolation of the weighted CDF.
  double total = 0;
  for (const auto& p : vw) total += p.second;
  double cumulative = 0;
  for (std::size_t i = 0; i < vw.size(); ++i) {
    const double next = cumulative + vw[i].second;
    const double mid = (cumulative + next) / 2 / total;
    if (mid >= q) {
      if (i == 0) return vw[0].first;
      const double prev_mid = (cumulative - vw[i - 1].second / 2) / total;
      const double f = (q - prev_mid) / (mid - prev_mid);
      return vw[i - 1].first + f * (vw[i].first - vw[i - 1].first);
    }
    cumulative = next;
  }
  return vw.back().first;
}
}  // namespace

double split_rhat(const std::vector<Eigen::VectorXd>& chains) {
  const auto halves = split_halves(chains);
  if (halves.size() < 2) return kNaN;
  const double n = static_cast<double>(halves.front().size());
  const auto [w, between] = chain_moments(halves);
  if (w <= 0) return kNaN;
  const double var_plus = (n - 1) / n * w + between;  // B/n with B = n·var(means)
  return std::sqrt(var_plus / w);
}

double effective_sample_size(const std::vector<Eigen::VectorXd>& chains) {
  const auto halves = split_halves(chains);
  if (halves.empty()) return kNaN;
  const Eigen::Index n = halves.front().size();
  const double m = static_cast<double>(halves.size());
  if (n < 4) return kNaN;
  const Eigen::Index max_lag = n - 1;

  // Mean autocovariance over chains, computed in blocks of lags so the common
  // case (fast decorrelation) never pays for all n lags.
  const ChainMoments moments = chain_moments(halves);
  const double w = moments.within, between = moments.between_means;  // plain names: captured below
  const double var_plus = (static_cast<double>(n) - 1) / static_cast<double>(n) * w + between;
  if (!(var_plus > 0)) return kNaN;

  Eigen::Index computed = std::min<Eigen::Index>(max_lag, 64);
  Eigen::VectorXd acov = Eigen::VectorXd::Zero(computed + 1);
  for (const auto& h : halves) acov += autocovariance(h, computed);
  acov /= m;
  auto rho = [&](Eigen::Index t) {
    while (t > computed) {
      computed = std::min<Eigen::Index>(max_lag, computed * 4);
      acov.setZero(computed + 1);
      for (const auto& h : halves) acov += autocovariance(h, computed);
      acov /= m;
    }
    return 1.0 - (w - acov[t]) / var_plus;
  };

  // Geyer's initial positive and monotone sequence over pairs of lags.
  double tau = -1.0;
  double previous_pair = std::numeric_limits<double>::infinity();
  for (Eigen::Index t = 0; t + 1 <= max_lag; t += 2) {
    double pair = rho(t) + rho(t + 1);
    if (pair <= 0) break;
    pair = std::min(pair, previous_pair);
    previous_pair = pair;
    tau += 2 * pair;
  }
  const double total = m * static_cast<double>(n);
  tau = std::max(tau, 1.0 / std::log10(total));  // Stan's cap for antithetic chains
  return total / tau;
}

std::vector<ParameterSummary> summarise(const SampleSet& samples, const std::vector<std::string>& names) {
  std::vector<ParameterSummary> out;
  if (samples.chains.empty()) return out;
  const Eigen::Index dim = samples.chains.front().draws.cols();
  const bool weighted = std::any_of(samples.chains.begin(), samples.chains.end(),
                                    [](const Chain& c) { return c.weights.size() > 0; });
  for (Eigen::Index k = 0; k < dim; ++k) {
    ParameterSummary s;
    s.name = k < static_cast<Eigen::Index>(names.size()) ? names[static_cast<std::size_t>(k)] : std::string("p").append(std::to_string(k));
    std::vector<Eigen::VectorXd> per_chain;
    std::vector<std::pair<double, double>> vw;
    for (const Chain& c : samples.chains) {
      per_chain.emplace_back(c.draws.col(k));
      for (Eigen::Index i = 0; i < c.draws.rows(); ++i) vw.emplace_back(c.draws(i, k), c.weights.size() ? c.weights[i] : 1.0);
    }
    if (vw.empty()) continue;
    double wsum = 0, mean = 0;
    for (const auto& [v, w] : vw) {
      wsum += w;
      mean += w * v;
    }
    mean /= wsum;
    double var = 0;
    for (const auto& [v, w] : vw) var += w * (v - mean) * (v - mean);
    const double n = static_cast<double>(vw.size());
    var = var / wsum * (weighted ? 1.0 : n / std::max(1.0, n - 1));
    std::sort(vw.begin(), vw.end());
    s.mean = mean;
    s.sd = std::sqrt(var);
    s.q16 = weighted_quantile(vw, 0.158655);
    s.q50 = weighted_quantile(vw, 0.5);
    s.q84 = weighted_quantile(vw, 0.841345);
    s.rhat = weighted ? kNaN : split_rhat(per_chain);
    s.ess = weighted ? kNaN : effective_sample_size(per_chain);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace orrery::kernel
