// Checks shared by the nde estimator tests, and the conditional Gaussian they
// are trained on:
//   b ~ U(−1, 1),  a | b ~ N(A b + c, Σ(b)),  Σ(b) = L Lᵀ,
//   L = [[0.5 e^{0.4 b}, 0], [0.3, 0.4]]   (dim a = 2, dim b = 1).
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <numbers>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "orrery/density_estimator.hpp"
#include "orrery/random.hpp"
#include "support/test_context.hpp"

namespace orrery::nde::test {

struct ConditionalGaussian {
  static Eigen::Vector2d mean(double b) { return {1.0 * b + 0.5, -0.5 * b}; }
  static Eigen::Matrix2d factor(double b) {
    Eigen::Matrix2d l;
    l << 0.5 * std::exp(0.4 * b), 0.0, 0.3, 0.4;
    return l;
  }
  static double log_prob(const Eigen::Vector2d& a, double b) {
    const Eigen::Matrix2d l = factor(b);
    const Eigen::Vector2d z = l.triangularView<Eigen::Lower>().solve(a - mean(b));
    return -std::log(2.0 * std::numbers::pi) - std::log(l(0, 0) * l(1, 1)) - 0.5 * z.squaredNorm();
  }
  /// n pairs as columns of a (2×n) and b (1×n).
  static void draw(std::size_t n, RandomStream& rng, Eigen::MatrixXd& a, Eigen::MatrixXd& b) {
    a.resize(2, static_cast<Eigen::Index>(n));
    b.resize(1, static_cast<Eigen::Index>(n));
    for (Eigen::Index i = 0; i < a.cols(); ++i) {
      b(0, i) = rng.uniform(-1.0, 1.0);
      const Eigen::Vector2d e(rng.normal(), rng.normal());
      a.col(i) = mean(b(0, i)) + factor(b(0, i)) * e;
    }
  }
};

/// ∫ q(a | b) da over a 2-D grid (midpoint rule, `cells`² cells) on [lo, hi]².
inline double integrate_2d(const DensityEstimator& q, double b, double lo, double hi, int cells,
                           Eigen::Vector2d* mean = nullptr) {
  const double h = (hi - lo) / cells;
  Eigen::MatrixXd a(2, cells), bb = Eigen::MatrixXd::Constant(1, cells, b);
  Eigen::VectorXd lp(cells);
  double total = 0.0;
  Eigen::Vector2d first = Eigen::Vector2d::Zero();
  for (int i = 0; i < cells; ++i) {
    for (int j = 0; j < cells; ++j) {
      a(0, j) = lo + (i + 0.5) * h;
      a(1, j) = lo + (j + 0.5) * h;
    }
    q.log_prob(a, bb, lp);
    const Eigen::VectorXd p = lp.array().exp();
    total += p.sum() * h * h;
    first += a * p * h * h;
  }
  if (mean != nullptr) *mean = first / total;
  return total;
}

/// Largest relative error of log_prob_gradient against central differences (step h)
/// over the columns of (a, b), with a floor of 1e-3 on the scale.
inline double gradient_error(const DensityEstimator& q, const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                             double h = 1e-5) {
  const Eigen::Index n = a.cols();
  Eigen::VectorXd lp(n), plus(n), minus(n);
  Eigen::MatrixXd ga(a.rows(), n), gb(b.rows(), n);
  q.log_prob_gradient(a, b, lp, ga, gb);
  double worst = 0.0;
  auto compare = [&](const Eigen::MatrixXd& analytic, Eigen::MatrixXd x, bool is_a) {
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
      const Eigen::RowVectorXd x0 = x.row(r);
      x.row(r) = x0.array() + h;
      q.log_prob(is_a ? x : a, is_a ? b : x, plus);
      x.row(r) = x0.array() - h;
      q.log_prob(is_a ? x : a, is_a ? b : x, minus);
      x.row(r) = x0;
      for (Eigen::Index i = 0; i < n; ++i) {
        const double numeric = (plus(i) - minus(i)) / (2 * h);
        const double scale = std::max({std::abs(numeric), std::abs(analytic(r, i)), 1e-3});
        worst = std::max(worst, std::abs(numeric - analytic(r, i)) / scale);
      }
    }
  };
  compare(ga, a, true);
  compare(gb, b, false);
  return worst;
}

/// Trains `q` (built through TestContext with `options`) on `n` pairs of the conditional Gaussian.
inline void fit_gaussian(DensityEstimator& q, orrery::test::TestContext& ctx, std::size_t n, std::uint64_t seed) {
  RandomStream rng(seed);
  Eigen::MatrixXd a, b;
  ConditionalGaussian::draw(n, rng, a, b);
  q.fit(a, b, ctx);
}

/// Held-out mean −log q minus the truth's mean −log p on the same pairs (an estimate of
/// E_b KL(p ‖ q), whose Monte Carlo noise the pairing largely cancels); also returns the truth's.
inline double excess_nll(const DensityEstimator& q, std::size_t n, std::uint64_t seed, double* true_nll) {
  RandomStream rng(seed);
  Eigen::MatrixXd a, b;
  ConditionalGaussian::draw(n, rng, a, b);
  Eigen::VectorXd lq(a.cols());
  q.log_prob(a, b, lq);
  double truth = 0.0;
  for (Eigen::Index i = 0; i < a.cols(); ++i) truth -= ConditionalGaussian::log_prob(a.col(i), b(0, i));
  truth /= static_cast<double>(a.cols());
  if (true_nll != nullptr) *true_nll = truth;
  return -lq.mean() - truth;
}

/// Sample mean and covariance of q(·|b) against the grid moments of its log_prob:
/// each mean within 5 standard errors.
inline void check_sample_moments(const DensityEstimator& q, double b, std::size_t n, std::uint64_t seed) {
  Eigen::Vector2d grid_mean;
  const double mass = integrate_2d(q, b, -5.0, 5.0, 300, &grid_mean);
  REQUIRE(std::abs(mass - 1.0) < 5e-3);
  RandomStream rng(seed);
  Eigen::MatrixXd draws(2, static_cast<Eigen::Index>(n));
  q.sample(Eigen::VectorXd::Constant(1, b), rng, draws);
  const Eigen::Vector2d m = draws.rowwise().mean();
  const Eigen::MatrixXd centred = draws.colwise() - m;
  const Eigen::Matrix2d cov = centred * centred.transpose() / static_cast<double>(n - 1);
  for (int j = 0; j < 2; ++j) {
    INFO("component " << j << ": sample mean " << m(j) << ", grid mean " << grid_mean(j));
    CHECK(std::abs(m(j) - grid_mean(j)) < 5.0 * std::sqrt(cov(j, j) / static_cast<double>(n)));
  }
  // The sample's log-density under q should average the grid's −entropy estimate:
  // checked indirectly through the draws' mean log q being finite and the moments above.
  Eigen::VectorXd lq(static_cast<Eigen::Index>(n));
  q.log_prob(draws, Eigen::MatrixXd::Constant(1, static_cast<Eigen::Index>(n), b), lq);
  CHECK(lq.allFinite());
}

/// save → load into `fresh` → identical log_prob; returns the temporary directory (removed by caller).
inline void check_round_trip(const DensityEstimator& q, DensityEstimator& fresh, const std::filesystem::path& dir) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  q.save(dir);
  fresh.load(dir);
  RandomStream rng(99);
  Eigen::MatrixXd a, b;
  ConditionalGaussian::draw(50, rng, a, b);
  Eigen::VectorXd before(50), after(50);
  q.log_prob(a, b, before);
  fresh.log_prob(a, b, after);
  CHECK(fresh.dim_a() == q.dim_a());
  CHECK(fresh.dim_b() == q.dim_b());
  CHECK((before.array() == after.array()).all());
}

}  // namespace orrery::nde::test
