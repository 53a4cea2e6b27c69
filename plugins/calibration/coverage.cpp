#include "calibration/coverage.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "orrery/error.hpp"

namespace orrery::calibration {

namespace {

using Index = Eigen::Index;

[[noreturn]] void fail(const std::string& what) { throw Error("calibration: coverage: " + what); }

}  // namespace

Eigen::VectorXd unit_grid(Index points) {
  if (points < 2) fail("a grid on [0, 1] needs at least 2 points, got " + std::to_string(points));
  Eigen::VectorXd grid(points);
  for (Index k = 0; k < points; ++k) grid(k) = static_cast<double>(k) / static_cast<double>(points - 1);
  return grid;
}

Eigen::VectorXd hpd_levels(const Eigen::Ref<const Eigen::VectorXd>& log_q_truth,
                           const Eigen::Ref<const Eigen::MatrixXd>& log_q_draws) {
  const Index n = log_q_truth.size();
  if (n < 1) fail("no simulations");
  if (log_q_draws.rows() != n)
    fail("log_q_truth has " + std::to_string(n) + " simulations but log_q_draws has " +
         std::to_string(log_q_draws.rows()) + " rows (one row of draws per simulation)");
  const Index L = log_q_draws.cols();
  if (L < 1) fail("log_q_draws has no columns (draws)");
  Eigen::VectorXd levels(n);
  for (Index i = 0; i < n; ++i) {
    const double t = log_q_truth(i);
    if (std::isnan(t)) fail("log q of the truth of simulation " + std::to_string(i) + " is NaN");
    Index higher = 0;
    for (Index l = 0; l < L; ++l) {
      const double v = log_q_draws(i, l);
      if (std::isnan(v)) fail("log q of draw " + std::to_string(l) + " of simulation " + std::to_string(i) + " is NaN");
      higher += (v > t);
    }
    levels(i) = static_cast<double>(higher) / static_cast<double>(L);
  }
  return levels;
}

CoverageCurve expected_coverage(const Eigen::Ref<const Eigen::VectorXd>& log_q_truth,
                                const Eigen::Ref<const Eigen::MatrixXd>& log_q_draws,
                                const Eigen::Ref<const Eigen::VectorXd>& nominal) {
  if (nominal.size() < 1) fail("the nominal credibility grid is empty");
  for (Index k = 0; k < nominal.size(); ++k)
    if (!(nominal(k) >= 0.0 && nominal(k) <= 1.0))
      fail("nominal credibility " + std::to_string(k) + " is " + std::to_string(nominal(k)) + ", expected a value in [0, 1]");
  CoverageCurve c;
  c.levels = hpd_levels(log_q_truth, log_q_draws);
  c.nominal = nominal;
  std::vector<double> sorted(c.levels.data(), c.levels.data() + c.levels.size());
  std::sort(sorted.begin(), sorted.end());
  const auto n = static_cast<double>(sorted.size());
  c.empirical.resize(nominal.size());
  c.standard_error.resize(nominal.size());
  c.null_standard_error.resize(nominal.size());
  for (Index k = 0; k < nominal.size(); ++k) {
    const double a = nominal(k);
    // Levels are multiples of 1/L; compare with a relative slack so that e.g.
    // level 0.3 (= 3/10 in floating point) counts at a nominal 0.3.
    const double limit = a + 1e-12;
    const double e = static_cast<double>(std::upper_bound(sorted.begin(), sorted.end(), limit) - sorted.begin()) / n;
    c.empirical(k) = e;
    c.standard_error(k) = std::sqrt(e * (1.0 - e) / n);
    c.null_standard_error(k) = std::sqrt(a * (1.0 - a) / n);
  }
  return c;
}

}  // namespace orrery::calibration
