#include "zscore.hpp"

#include <cmath>

namespace orrery::nde {

ZScore ZScore::fit(const Eigen::Ref<const Eigen::MatrixXd>& x) {
  ZScore z;
  const auto n = static_cast<double>(x.cols());
  z.mean = x.rowwise().mean();
  z.sd.resize(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const double var = (x.row(i).array() - z.mean(i)).square().sum() / std::max(n - 1.0, 1.0);
    z.sd(i) = var > 0.0 && std::isfinite(var) ? std::sqrt(var) : 1.0;
  }
  return z;
}

ZScore ZScore::fit(const Eigen::Ref<const Eigen::MatrixXd>& x, const std::vector<Eigen::Index>& columns) {
  Eigen::MatrixXd selected(x.rows(), static_cast<Eigen::Index>(columns.size()));
  for (std::size_t j = 0; j < columns.size(); ++j) selected.col(static_cast<Eigen::Index>(j)) = x.col(columns[j]);
  return fit(selected);
}

}  // namespace orrery::nde
