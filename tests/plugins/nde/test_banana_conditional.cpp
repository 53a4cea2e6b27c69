// A curved (banana-shaped) conditional, which no single Gaussian fits:
//   b ~ U(-1, 1),  a1 | b ~ N(b, 1),  a2 | a1, b ~ N(a1² / 2 - 1 + b, 0.5²).
// Both neural estimators must get their held-out NLL within a tested margin
// of the truth's on the same pairs (an estimate of E_b KL(p ‖ q)).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <numbers>

#include "estimator_checks.hpp"
#include "masked_autoregressive_flow.hpp"
#include "mixture_density_network.hpp"

using namespace orrery;
using orrery::test::build;

namespace {

void draw_banana(std::size_t n, RandomStream& rng, Eigen::MatrixXd& a, Eigen::MatrixXd& b) {
  a.resize(2, static_cast<Eigen::Index>(n));
  b.resize(1, static_cast<Eigen::Index>(n));
  for (Eigen::Index i = 0; i < a.cols(); ++i) {
    b(0, i) = rng.uniform(-1.0, 1.0);
    a(0, i) = b(0, i) + rng.normal();
    a(1, i) = 0.5 * a(0, i) * a(0, i) - 1.0 + b(0, i) + 0.5 * rng.normal();
  }
}

double log_banana(double a1, double a2, double b) {
  const double log_norm = -0.5 * std::log(2.0 * std::numbers::pi);
  const double r1 = a1 - b;
  const double r2 = (a2 - (0.5 * a1 * a1 - 1.0 + b)) / 0.5;
  return 2.0 * log_norm - 0.5 * r1 * r1 - 0.5 * r2 * r2 - std::log(0.5);
}

/// Held-out mean −log q minus the truth's, on `n` fresh pairs.
double excess_nll(const DensityEstimator& q, std::size_t n, std::uint64_t seed) {
  RandomStream rng(seed);
  Eigen::MatrixXd a, b;
  draw_banana(n, rng, a, b);
  Eigen::VectorXd lq(a.cols());
  q.log_prob(a, b, lq);
  double truth = 0.0;
  for (Eigen::Index i = 0; i < a.cols(); ++i) truth -= log_banana(a(0, i), a(1, i), b(0, i));
  truth /= static_cast<double>(a.cols());
  return -lq.mean() - truth;
}

template <typename Estimator>
double fit_and_score(orrery::ValueTable options, std::uint64_t seed) {
  auto q = build<Estimator>(std::move(options));
  RandomStream rng(seed);
  Eigen::MatrixXd a, b;
  draw_banana(4000, rng, a, b);
  q->fit(a, b, *q.context);
  return excess_nll(*q, 20000, seed + 1);
}

}  // namespace

TEST_CASE("maf learns a banana-shaped conditional") {
  const double excess = fit_and_score<nde::MaskedAutoregressiveFlow>({{"max_epochs", Value(std::int64_t{200})}}, 31);
  std::printf("nde.maf banana conditional: held-out excess NLL %.4f nats\n", excess);
  CHECK(excess < 0.08);
  CHECK(excess > -0.02);  // cannot beat the truth beyond Monte Carlo noise
}

TEST_CASE("mdn learns a banana-shaped conditional") {
  const double excess = fit_and_score<nde::MixtureDensityNetwork>({{"max_epochs", Value(std::int64_t{200})}}, 41);
  std::printf("nde.mdn banana conditional: held-out excess NLL %.4f nats\n", excess);
  CHECK(excess < 0.08);
  CHECK(excess > -0.02);
}

TEST_CASE("a single Gaussian component misses the banana curvature") {
  // One mixture component is a conditional Gaussian: it must miss the curvature.
  const double excess = fit_and_score<nde::MixtureDensityNetwork>(
      {{"components", Value(std::int64_t{1})}, {"max_epochs", Value(std::int64_t{200})}}, 51);
  std::printf("nde.mdn with one component, banana conditional: held-out excess NLL %.4f nats\n", excess);
  CHECK(excess > 0.08);
}
