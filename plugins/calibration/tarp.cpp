#include "calibration/tarp.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "calibration/coverage.hpp"
#include "calibration/kolmogorov.hpp"
#include "orrery/error.hpp"

namespace orrery::calibration {

namespace {

[[noreturn]] void fail(const std::string& what) { throw Error("calibration: tarp: " + what); }

void check_input(const Eigen::Ref<const Eigen::MatrixXd>& truths, std::span<const Eigen::MatrixXd> draws,
                 const TarpOptions& o) {
  if (o.alpha_points < 2) fail("alpha_points must be >= 2, got " + std::to_string(o.alpha_points));
  if (truths.rows() < 1 || truths.cols() < 1)
    fail("truths is " + std::to_string(truths.rows()) + "x" + std::to_string(truths.cols()) +
         ", expected one simulation per row and one parameter per column");
  if (static_cast<std::size_t>(truths.rows()) != draws.size())
    fail("truths has " + std::to_string(truths.rows()) + " rows (simulations) but there are " +
         std::to_string(draws.size()) + " draw matrices");
  for (Index i = 0; i < truths.rows(); ++i) {
    const Eigen::MatrixXd& x = draws[static_cast<std::size_t>(i)];
    if (x.rows() < 1) fail("simulation " + std::to_string(i) + " has no posterior draws");
    if (x.cols() != truths.cols())
      fail("the draws of simulation " + std::to_string(i) + " have " + std::to_string(x.cols()) +
           " columns, truths has " + std::to_string(truths.cols()));
    for (Index j = 0; j < truths.cols(); ++j) {
      if (!std::isfinite(truths(i, j)))
        fail("the truth of simulation " + std::to_string(i) + ", parameter " + std::to_string(j) + " is not finite");
      if (x.col(j).hasNaN())
        fail("a draw of simulation " + std::to_string(i) + ", parameter " + std::to_string(j) + " is NaN");
    }
  }
  if (o.references.size() != 0) {
    if (o.references.rows() != truths.rows() || o.references.cols() != truths.cols())
      fail("references is " + std::to_string(o.references.rows()) + "x" + std::to_string(o.references.cols()) +
           ", expected " + std::to_string(truths.rows()) + "x" + std::to_string(truths.cols()) +
           " (one reference point per simulation)");
    if (!o.references.allFinite()) fail("references has a non-finite value");
  }
}

double distance(const Eigen::RowVectorXd& a, const Eigen::RowVectorXd& b, TarpDistance metric) {
  return metric == TarpDistance::euclidean ? (a - b).norm() : (a - b).cwiseAbs().sum();
}

}  // namespace

TarpResult tarp(const Eigen::Ref<const Eigen::MatrixXd>& truths, std::span<const Eigen::MatrixXd> draws,
                RandomStream rng, const TarpOptions& options) {
  check_input(truths, draws, options);
  const Index n = truths.rows(), d = truths.cols();
  const Eigen::RowVectorXd lo = truths.colwise().minCoeff(), hi = truths.colwise().maxCoeff();

  // Step 1: x → (x − shift) / scale per column.
  Eigen::RowVectorXd shift = Eigen::RowVectorXd::Zero(d), scale = Eigen::RowVectorXd::Ones(d);
  if (options.normalisation == TarpNormalisation::min_max) {
    shift = lo;
    for (Index j = 0; j < d; ++j) scale(j) = hi(j) > lo(j) ? hi(j) - lo(j) + 1e-10 : 1.0;
  } else if (options.normalisation == TarpNormalisation::z_score) {
    shift = truths.colwise().mean();
    for (Index j = 0; j < d; ++j) {
      const double ss = (truths.col(j).array() - shift(j)).square().sum();
      const double sd = n > 1 ? std::sqrt(ss / static_cast<double>(n - 1)) : 0.0;
      scale(j) = sd > 0.0 ? sd : 1.0;
    }
  }
  auto normalise = [&](const auto& row) -> Eigen::RowVectorXd { return (row - shift).cwiseQuotient(scale); };

  TarpResult out;
  // Step 2: reference points, one per simulation.
  if (options.references.size() != 0) {
    out.references = options.references;
  } else {
    RandomStream ref_rng = rng.split("references");
    out.references.resize(n, d);
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < d; ++j) out.references(i, j) = ref_rng.uniform(lo(j), hi(j));
  }

  // Step 3: coverage values f_i.
  out.coverage_values.resize(n);
  for (Index i = 0; i < n; ++i) {
    const Eigen::MatrixXd& x = draws[static_cast<std::size_t>(i)];
    const Eigen::RowVectorXd r = normalise(out.references.row(i));
    const double truth_distance = distance(normalise(truths.row(i)), r, options.distance);
    Index closer = 0;
    for (Index l = 0; l < x.rows(); ++l) closer += distance(normalise(x.row(l)), r, options.distance) < truth_distance;
    out.coverage_values(i) = static_cast<double>(closer) / static_cast<double>(x.rows());
  }

  // Step 4: ECP on the grid, and the summaries.
  out.alpha = unit_grid(options.alpha_points);
  std::vector<double> f(out.coverage_values.data(), out.coverage_values.data() + n);
  std::sort(f.begin(), f.end());
  out.ecp.resize(out.alpha.size());
  for (Index k = 0; k < out.alpha.size(); ++k)
    out.ecp(k) = static_cast<double>(std::lower_bound(f.begin(), f.end(), out.alpha(k)) - f.begin()) /
                 static_cast<double>(n);
  const Index mid = out.alpha.size() / 2;
  const double dalpha = out.alpha(1) - out.alpha(0);
  out.atc = 0.0;
  for (Index k = mid; k < out.alpha.size(); ++k) out.atc += (out.ecp(k) - out.alpha(k)) * dalpha;
  out.ks_statistic = ks_statistic_uniform(f);
  out.ks_pvalue = kolmogorov_pvalue(n, out.ks_statistic);
  return out;
}

}  // namespace orrery::calibration
