#include "chain_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <orrery/diagnostics.hpp>

namespace orrery::kernel {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

/// Convergence diagnostics of one column; NaN for weighted draws, whose
/// serial correlation the chain-based estimators do not describe.
void add_diagnostics(ParameterSummary& s, const diagnostics::Chains& per_chain, bool weighted) {
  if (weighted) {
    s.rhat = s.ess_bulk = s.ess_tail = s.mcse_mean = s.iat = kNaN;
    return;
  }
  const diagnostics::Diagnostics d = diagnostics::diagnose(per_chain);
  s.rhat = d.rhat;
  s.ess_bulk = d.ess_bulk;
  s.ess_tail = d.ess_tail;
  s.mcse_mean = d.mcse_mean;
  s.iat = d.iat;
}
}  // namespace

std::vector<ParameterSummary> summarise(const SampleSet& samples, const std::vector<std::string>& names,
                                       Executor* executor) {
  if (samples.chains.empty()) return {};
  std::size_t draws = 0;
  for (const Chain& c : samples.chains) draws += static_cast<std::size_t>(c.draws.rows());
  if (draws == 0) return {};
  const Eigen::Index dim = samples.chains.front().draws.cols();
  const bool weighted = std::any_of(samples.chains.begin(), samples.chains.end(),
                                    [](const Chain& c) { return c.weights.size() > 0; });
  std::vector<ParameterSummary> out(static_cast<std::size_t>(dim));
  // One parameter per work item, each writing only its own slot: the result
  // does not depend on the executor.
  const auto summarise_one = [&](std::size_t index) {
    const auto k = static_cast<Eigen::Index>(index);
    ParameterSummary& s = out[index];
    s.name = index < names.size() ? names[index] : std::string("p").append(std::to_string(k));
    diagnostics::Chains per_chain;
    std::vector<std::pair<double, double>> vw;
    vw.reserve(draws);
    for (const Chain& c : samples.chains) {
      per_chain.emplace_back(c.draws.col(k));
      for (Eigen::Index i = 0; i < c.draws.rows(); ++i) vw.emplace_back(c.draws(i, k), c.weights.size() ? c.weights[i] : 1.0);
    }
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
    add_diagnostics(s, per_chain, weighted);
  };
  if (executor && dim > 1)
    executor->parallel_for(out.size(), summarise_one);
  else
    for (std::size_t i = 0; i < out.size(); ++i) summarise_one(i);
  return out;
}

}  // namespace orrery::kernel
