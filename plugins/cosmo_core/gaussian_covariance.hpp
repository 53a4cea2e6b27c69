// Gaussian covariance of angular power spectra, stored block-sparse.
//
// For tracers a, b, c, d and multipole ℓ (Knox formula, no super-sample or
// connected non-Gaussian terms):
//   Cov[C^{ab}_ℓ, C^{cd}_ℓ'] = δ_ℓℓ' [ Ĉ^{ac} Ĉ^{bd} + Ĉ^{ad} Ĉ^{bc} ] / ((2ℓ + 1) Δℓ f_sky),
// with Ĉ = C + N and noise N^{ab} = δ_ab N_a: σ_e² / n_a for shear (σ_e the
// per-component shape dispersion) and 1 / n_a for number counts, n_a in
// galaxies per steradian. Only the ℓ-diagonal blocks are stored: one
// (pairs × pairs) matrix per ℓ, with its Cholesky factor for solves.
//
// Data-vector layout used throughout Orrery's C_ℓ code: pair-major, i.e. all
// ℓ of pair 0, then all ℓ of pair 1, ... Pairs are (i, j) with i ≤ j.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

#include <orrery/error.hpp>

namespace orrery::cosmo {

/// Galaxies per arcmin² → per steradian.
inline double per_arcmin2_to_per_sr(double n) {
  const double arcmin = std::numbers::pi / (180.0 * 60.0);
  return n / (arcmin * arcmin);
}

/// The (i, j), i ≤ j, pairs of `tracers` tracers in Orrery's order.
inline std::vector<std::pair<int, int>> tracer_pairs(int tracers) {
  std::vector<std::pair<int, int>> out;
  for (int i = 0; i < tracers; ++i)
    for (int j = i; j < tracers; ++j) out.emplace_back(i, j);
  return out;
}

class GaussianCovariance {
 public:
  /// `cl(p, l)`: signal C_ℓ of pair p at multipole index l (pairs as
  /// tracer_pairs). `noise[a]`: N_a. `ell`, `delta_ell`: multipoles and the
  /// width of the band each represents (1 for single multipoles).
  GaussianCovariance(const Eigen::MatrixXd& cl, const std::vector<double>& noise, const Eigen::VectorXd& ell,
                     const Eigen::VectorXd& delta_ell, double f_sky)
      : pairs_(tracer_pairs(static_cast<int>(noise.size()))), n_ell_(ell.size()) {
    const auto n_pairs = static_cast<Eigen::Index>(pairs_.size());
    if (cl.rows() != n_pairs || cl.cols() != ell.size() || delta_ell.size() != ell.size())
      throw Error("Gaussian covariance: C_ell must have one row per tracer pair and one column per ell");
    if (!(f_sky > 0 && f_sky <= 1)) throw Error("Gaussian covariance: f_sky must be in (0, 1], found " + std::to_string(f_sky));
    const int tracers = static_cast<int>(noise.size());
    auto pair_index = [tracers](int i, int j) {
      if (i > j) std::swap(i, j);
      return static_cast<Eigen::Index>(i * tracers - i * (i - 1) / 2 + (j - i));
    };
    blocks_.resize(static_cast<std::size_t>(n_ell_));
    cholesky_.resize(static_cast<std::size_t>(n_ell_));
    for (Eigen::Index l = 0; l < n_ell_; ++l) {
      auto total = [&](int a, int b) { return cl(pair_index(a, b), l) + (a == b ? noise[static_cast<std::size_t>(a)] : 0.0); };
      const double modes = (2 * ell[l] + 1) * delta_ell[l] * f_sky;
      Eigen::MatrixXd block(n_pairs, n_pairs);
      for (Eigen::Index p = 0; p < n_pairs; ++p)
        for (Eigen::Index q = 0; q < n_pairs; ++q) {
          const auto [a, b] = pairs_[static_cast<std::size_t>(p)];
          const auto [c, d] = pairs_[static_cast<std::size_t>(q)];
          block(p, q) = (total(a, c) * total(b, d) + total(a, d) * total(b, c)) / modes;
        }
      cholesky_[static_cast<std::size_t>(l)].compute(block);
      if (cholesky_[static_cast<std::size_t>(l)].info() != Eigen::Success)
        throw Error("Gaussian covariance is not positive definite at ell = " + std::to_string(ell[l]) +
                    " (a negative or zero C_ell plus noise?)");
      blocks_[static_cast<std::size_t>(l)] = std::move(block);
    }
  }

  [[nodiscard]] const std::vector<std::pair<int, int>>& pairs() const { return pairs_; }
  [[nodiscard]] Eigen::Index n_ell() const { return n_ell_; }
  [[nodiscard]] Eigen::Index size() const { return static_cast<Eigen::Index>(pairs_.size()) * n_ell_; }
  /// The (pairs × pairs) covariance at multipole index l.
  [[nodiscard]] const Eigen::MatrixXd& block(Eigen::Index l) const { return blocks_[static_cast<std::size_t>(l)]; }

  /// Data-vector index of (pair p, multipole index l).
  [[nodiscard]] Eigen::Index index(Eigen::Index p, Eigen::Index l) const { return p * n_ell_ + l; }

  /// The full covariance (size × size), mostly zeros: for output and tests.
  [[nodiscard]] Eigen::MatrixXd dense() const {
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(size(), size());
    const auto n_pairs = static_cast<Eigen::Index>(pairs_.size());
    for (Eigen::Index l = 0; l < n_ell_; ++l)
      for (Eigen::Index p = 0; p < n_pairs; ++p)
        for (Eigen::Index q = 0; q < n_pairs; ++q) out(index(p, l), index(q, l)) = block(l)(p, q);
    return out;
  }

  /// Cov⁻¹ x for data vectors (columns of x), using the per-ℓ factors.
  template <typename Derived>
  [[nodiscard]] Eigen::Matrix<typename Derived::Scalar, Eigen::Dynamic, Eigen::Dynamic> solve(
      const Eigen::MatrixBase<Derived>& x) const {
    using Scalar = typename Derived::Scalar;
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> out(x.rows(), x.cols());
    const auto n_pairs = static_cast<Eigen::Index>(pairs_.size());
    Eigen::VectorXd rhs(n_pairs);
    for (Eigen::Index c = 0; c < x.cols(); ++c)
      for (Eigen::Index l = 0; l < n_ell_; ++l) {
        for (Eigen::Index p = 0; p < n_pairs; ++p) rhs[p] = x(index(p, l), c);
        const Eigen::VectorXd sol = cholesky_[static_cast<std::size_t>(l)].solve(rhs);
        for (Eigen::Index p = 0; p < n_pairs; ++p) out(index(p, l), c) = sol[p];
      }
    return out;
  }

  /// log det Cov.
  [[nodiscard]] double log_determinant() const {
    double s = 0;
    for (const auto& llt : cholesky_) s += 2 * llt.matrixLLT().diagonal().array().log().sum();
    return s;
  }

 private:
  std::vector<std::pair<int, int>> pairs_;
  Eigen::Index n_ell_;
  std::vector<Eigen::MatrixXd> blocks_;
  std::vector<Eigen::LLT<Eigen::MatrixXd>> cholesky_;
};

}  // namespace orrery::cosmo
