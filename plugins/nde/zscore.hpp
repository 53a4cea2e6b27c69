// ZScore: per-column standardisation x' = (x − mean) / sd, fitted on the
// training set. A density in standardised units becomes one in the original
// units by adding log|det ∂x'/∂x| = −Σ log sd.
#pragma once

#include <Eigen/Core>
#include <vector>

namespace orrery::nde {

struct ZScore {
  Eigen::VectorXd mean, sd;

  /// Mean and sd of each ROW of `x` (a column-major batch, one pair per column);
  /// a constant variable gets sd 1 so it passes through unscaled.
  static ZScore fit(const Eigen::Ref<const Eigen::MatrixXd>& x);
  /// The same over the columns listed in `columns` only (the training pairs:
  /// the validation pairs must not leak into the standardisation).
  static ZScore fit(const Eigen::Ref<const Eigen::MatrixXd>& x, const std::vector<Eigen::Index>& columns);
  /// log|det ∂x'/∂x| = −Σ log sd.
  [[nodiscard]] double log_jacobian() const { return -sd.array().log().sum(); }
};

}  // namespace orrery::nde
