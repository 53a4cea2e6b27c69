#include "ensemble_moves.hpp"

#include <algorithm>
#include <cmath>

namespace orrery::samplers {

double stretch_move(const Eigen::MatrixXd& positions, std::span<const std::uint32_t> complement, Eigen::Index walker,
                    double a, orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> proposal) {
  const auto c = static_cast<Eigen::Index>(complement[rng.below(complement.size())]);
  // Inverse CDF of g(z) ∝ 1/sqrt(z) on [1/a, a].
  const double root = (a - 1.0) * rng.uniform() + 1.0;
  const double z = root * root / a;
  proposal = positions.col(c) + z * (positions.col(walker) - positions.col(c));
  return static_cast<double>(positions.rows() - 1) * std::log(z);
}

double de_move(const Eigen::MatrixXd& positions, std::span<const std::uint32_t> complement, Eigen::Index walker,
               double gamma, double sigma, orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> proposal) {
  const std::uint64_t n = complement.size();
  const std::uint64_t i = rng.below(n);
  std::uint64_t j = rng.below(n - 1);
  if (j >= i) ++j;  // uniform over the other n - 1 walkers
  const auto c1 = static_cast<Eigen::Index>(complement[i]);
  const auto c2 = static_cast<Eigen::Index>(complement[j]);
  for (Eigen::Index k = 0; k < positions.rows(); ++k)
    proposal[k] = positions(k, walker) + gamma * (positions(k, c1) - positions(k, c2)) + sigma * rng.normal();
  return 0.0;
}

double walk_move(const Eigen::MatrixXd& positions, std::span<const std::uint32_t> complement, Eigen::Index walker,
                 std::size_t s, orrery::RandomStream& rng, std::span<std::uint32_t> scratch,
                 Eigen::Ref<Eigen::VectorXd> sum, Eigen::Ref<Eigen::VectorXd> proposal) {
  const std::size_t n = complement.size();
  std::copy(complement.begin(), complement.end(), scratch.begin());
  // Partial Fisher-Yates: the first s entries of scratch are a uniform subset.
  if (s < n)
    for (std::size_t i = 0; i < s; ++i) std::swap(scratch[i], scratch[i + rng.below(n - i)]);
  proposal.setZero();  // Σ z_j c_j
  sum.setZero();       // Σ c_j
  double z_total = 0.0;
  for (std::size_t i = 0; i < s; ++i) {
    const double z = rng.normal();
    const auto c = static_cast<Eigen::Index>(scratch[i]);
    proposal.noalias() += z * positions.col(c);
    sum += positions.col(c);
    z_total += z;
  }
  const double sd = 1.0 / std::sqrt(static_cast<double>(s) - 1.0);
  // x + Σ z_j (c_j - c̄) / sqrt(s - 1), with c̄ = sum / s.
  proposal = positions.col(walker) + sd * (proposal - (z_total / static_cast<double>(s)) * sum);
  return 0.0;
}

}  // namespace orrery::samplers
