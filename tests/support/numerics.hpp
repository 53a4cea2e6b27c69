// Small numerical references for tests: quadrature, finite-difference
// gradients and Monte Carlo standard errors.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstddef>
#include <functional>
#include <vector>

namespace orrery::test {

/// Composite Simpson rule for ∫_a^b f with `intervals` (made even) subintervals.
inline double integrate(const std::function<double(double)>& f, double a, double b, int intervals = 20000) {
  if (intervals % 2) ++intervals;
  const double h = (b - a) / intervals;
  double sum = f(a) + f(b);
  for (int i = 1; i < intervals; ++i) sum += (i % 2 ? 4.0 : 2.0) * f(a + i * h);
  return sum * h / 3.0;
}

/// Central finite-difference gradient of f at x, step h·max(1, |x_i|).
inline Eigen::VectorXd finite_difference_gradient(const std::function<double(const Eigen::VectorXd&)>& f,
                                                  const Eigen::VectorXd& x, double h = 1e-6) {
  Eigen::VectorXd grad(x.size());
  Eigen::VectorXd shifted = x;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double step = h * std::max(1.0, std::abs(x[i]));
    shifted[i] = x[i] + step;
    const double up = f(shifted);
    shifted[i] = x[i] - step;
    const double down = f(shifted);
    shifted[i] = x[i];
    grad[i] = (up - down) / (2.0 * step);
  }
  return grad;
}

/// A Monte Carlo estimate with its standard error.
struct Estimate {
  double value = 0.0;
  double standard_error = 0.0;
};

/// Mean of independent draws and its standard error sd/sqrt(n).
inline Estimate iid_mean(const Eigen::VectorXd& draws) {
  const double n = static_cast<double>(draws.size());
  const double mean = draws.mean();
  const double variance = (draws.array() - mean).square().sum() / (n - 1.0);
  return {mean, std::sqrt(variance / n)};
}

/// Mean over several equally long Markov chains of one scalar series each,
/// with a batch-means standard error: each chain is cut into about sqrt(n)
/// batches of about sqrt(n) states, and the batch means are treated as
/// independent.
inline Estimate batch_means(const std::vector<Eigen::VectorXd>& chains) {
  std::vector<double> batch_means;
  double total = 0.0;
  double count = 0.0;
  for (const Eigen::VectorXd& chain : chains) {
    const Eigen::Index n = chain.size();
    const auto size = static_cast<Eigen::Index>(std::sqrt(static_cast<double>(n)));
    for (Eigen::Index start = 0; start + size <= n; start += size)
      batch_means.push_back(chain.segment(start, size).mean());
    total += chain.sum();
    count += static_cast<double>(n);
  }
  const double mean = total / count;
  double scatter = 0.0;
  for (double m : batch_means) scatter += (m - mean) * (m - mean);
  const double batches = static_cast<double>(batch_means.size());
  return {mean, std::sqrt(scatter / (batches - 1.0) / batches)};
}

}  // namespace orrery::test
