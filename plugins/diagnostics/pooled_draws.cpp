#include "pooled_draws.hpp"

#include <cmath>
#include <string>

#include "orrery/error.hpp"

namespace orrery::diagnostics {

namespace {

// Systematic resampling of `draws` (rows) by `weights` into as many rows.
Eigen::MatrixXd resample(const DrawMatrix& draws, const Eigen::VectorXd& weights, RandomStream& rng) {
  if (!weights.allFinite() || (weights.array() < 0.0).any() || weights.sum() <= 0.0)
    throw Error("diagnostics: a chain has negative, non-finite or all-zero importance weights");
  const Eigen::Index n = draws.rows();
  Eigen::MatrixXd out(n, draws.cols());
  const double total = weights.sum(), step = total / static_cast<double>(n);
  double target = rng.uniform() * step, cumulative = weights(0);
  Eigen::Index source = 0;
  for (Eigen::Index k = 0; k < n; ++k) {
    while (cumulative < target && source + 1 < n) cumulative += weights(++source);
    out.row(k) = draws.row(source);
    target += step;
  }
  return out;
}

}  // namespace

Eigen::MatrixXd pooled_draws(const SampleSet& samples, Eigen::Index max_rows, RandomStream& rng) {
  Eigen::Index total = 0, dim = -1;
  for (const Chain& c : samples.chains) {
    total += c.draws.rows();
    if (dim >= 0 && c.draws.cols() != dim) throw Error("diagnostics: chains of different dimensions");
    dim = c.draws.cols();
  }
  if (total == 0 || dim <= 0) throw Error("diagnostics: the sampler returned no draws");
  Eigen::MatrixXd all(total, dim);
  Eigen::Index row = 0;
  for (const Chain& c : samples.chains) {
    if (c.weights.size() == 0)
      all.middleRows(row, c.draws.rows()) = c.draws;
    else
      all.middleRows(row, c.draws.rows()) = resample(c.draws, c.weights, rng);
    row += c.draws.rows();
  }
  if (total <= max_rows) return all;
  // Evenly spaced rows: keeps every chain's share and thins autocorrelated draws.
  Eigen::MatrixXd out(max_rows, dim);
  for (Eigen::Index k = 0; k < max_rows; ++k)
    out.row(k) = all.row(static_cast<Eigen::Index>(static_cast<double>(k) * static_cast<double>(total) /
                                                   static_cast<double>(max_rows)));
  return out;
}

}  // namespace orrery::diagnostics
