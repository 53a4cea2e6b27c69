// Checks shared by the nde estimator tests, and the conditional Gaussian they
// are trained on:
//   b ~ U(−1, 1),  a | b ~ N(A b + c, Σ(b)),  Σ(b) = L Lᵀ,
//   L = [[0.5 e^{0.4 b}, 0], [0.3, 0.4]]   (dim a = 2, dim b = 1).
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <string>
#include <utility>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "orrery/density_estimator.hpp"
#include "orrery/error.hpp"
#include "orrery/random.hpp"
#include "orrery/value.hpp"
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

/// save → load into `fresh` → identical log_prob; the caller removes `dir`.
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

/// log_prob of `q` on `n` pairs of the conditional Gaussian drawn with seed 77.
inline Eigen::VectorXd log_prob_on_fresh_pairs(const DensityEstimator& q, Eigen::Index n) {
  RandomStream rng(77);
  Eigen::MatrixXd a, b;
  ConditionalGaussian::draw(static_cast<std::size_t>(n), rng, a, b);
  Eigen::VectorXd lq(n);
  q.log_prob(a, b, lq);
  return lq;
}

// The checks below are shared by the network estimators (mdn, maf, spline maf); `label`
// names the estimator in the printed measurement ("nde.maf", "nde.maf float32", ...).

/// A network of `sizes` trained briefly (5 epochs in `precision`, 1000 pairs, seed 1):
/// enough structure for the exactness checks.
template <typename Estimator>
orrery::test::Built<Estimator> fit_small(ValueTable sizes, const char* precision) {
  sizes.emplace_back("max_epochs", Value(std::int64_t{5}));
  sizes.emplace_back("precision", Value(std::string(precision)));
  auto q = orrery::test::build<Estimator>(std::move(sizes));
  fit_gaussian(*q, *q.context, 1000, 1);
  return q;
}

/// q(· | b) has mass one (to 1e-4) on the [−5, 5]² grid at b = −0.7 and b = 0.4.
inline void check_normalised(const DensityEstimator& q, const char* label) {
  for (double b : {-0.7, 0.4}) {
    const double mass = integrate_2d(q, b, -5.0, 5.0, 400);
    std::printf("%s normalisation at b = %g: %.8f\n", label, b, mass);
    CHECK(std::abs(mass - 1.0) < 1e-4);
  }
}

/// gradient_error (difference step h) on 20 pairs drawn with seed 3 is below `tolerance`.
inline void check_gradient(const DensityEstimator& q, const char* label, double h, double tolerance) {
  RandomStream rng(3);
  Eigen::MatrixXd a, b;
  ConditionalGaussian::draw(20, rng, a, b);
  const double error = gradient_error(q, a, b, h);
  std::printf("%s gradient max relative error: %.3g\n", label, error);
  CHECK(error < tolerance);
}

/// Fits `q` on 4000 pairs (seed 21); its held-out excess NLL on 20000 pairs (seed 22) is below
/// 0.05 nats and above −0.02.
template <typename Estimator>
void check_fit_approaches_truth(const orrery::test::Built<Estimator>& q, const char* label) {
  fit_gaussian(*q, *q.context, 4000, 21);
  double truth = 0.0;
  const double excess = excess_nll(*q, 20000, 22, &truth);
  std::printf("%s held-out NLL %.4f vs true conditional entropy estimate %.4f (excess %.4f nats, %lld epochs)\n",
              label, truth + excess, truth, excess, static_cast<long long>(q->training_report().epochs));
  CHECK(excess < 0.05);
  CHECK(excess > -0.02);  // cannot beat the truth beyond Monte Carlo noise
}

/// check_round_trip of `q` through `dir` into `fresh`; then `other`, configured for another
/// architecture, refuses the file naming the architecture and stays unfitted. Removes `dir`.
inline void check_round_trip_and_refusal(const DensityEstimator& q, DensityEstimator& fresh, DensityEstimator& other,
                                         const std::filesystem::path& dir) {
  check_round_trip(q, fresh, dir);
  try {
    other.load(dir);
    FAIL("loading a file saved for another architecture must throw");
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("architecture") != std::string::npos);
  }
  CHECK_FALSE(other.fitted());
  std::filesystem::remove_all(dir);
}

/// Two estimators built with `options`, one on a serial context and one on `threads` threads,
/// fitted on the same 1000 pairs (seed `seed`), give identical log_prob on `pairs` fresh pairs
/// (several evaluation chunks, run in parallel on the threaded one) and, with
/// `compare_validation_loss`, identical best validation losses.
template <typename Estimator>
void check_thread_independent(const ValueTable& options, std::size_t threads, std::uint64_t seed, Eigen::Index pairs,
                              bool compare_validation_loss) {
  auto serial = orrery::test::build<Estimator>(options);
  auto threaded = orrery::test::build<Estimator>(options);
  threaded.context->set_threads(threads);
  fit_gaussian(*serial, *serial.context, 1000, seed);
  fit_gaussian(*threaded, *threaded.context, 1000, seed);
  const Eigen::VectorXd one = log_prob_on_fresh_pairs(*serial, pairs);
  const Eigen::VectorXd many = log_prob_on_fresh_pairs(*threaded, pairs);
  CHECK((one.array() == many.array()).all());
  if (compare_validation_loss)
    CHECK(serial->training_report().best_validation_loss == threaded->training_report().best_validation_loss);
}

}  // namespace orrery::nde::test
