// The adaptive random-walk proposal: it learns (2.38²/d)·Σ from the states it
// is shown, and its global scale moves towards the target acceptance rate.
#include <catch2/catch.hpp>

#include <cmath>

#include "adaptive_proposal.hpp"
#include "support/numerics.hpp"

using orrery::samplers::AdaptiveProposal;

namespace {

/// Feeds `n` independent N(0, cov) states, each with acceptance probability
/// equal to the target (so the global scale stays 1), and returns their
/// sample covariance.
Eigen::Matrix2d teach(AdaptiveProposal& proposal, const Eigen::Matrix2d& cov, int n, double target,
                      orrery::RandomStream& rng) {
  const Eigen::Matrix2d root = cov.llt().matrixL();
  Eigen::MatrixXd states(2, n);
  for (int k = 0; k < n; ++k) {
    Eigen::Vector2d z(rng.normal(), rng.normal());
    states.col(k) = root * z;
    proposal.adapt(states.col(k), target);
  }
  const Eigen::Vector2d mean = states.rowwise().mean();
  const Eigen::MatrixXd centred = states.colwise() - mean;
  return centred * centred.transpose() / (n - 1.0);
}

/// Covariance entries of many proposal steps from 0 agree with `expected`
/// within 4 standard errors.
void check_step_covariance(AdaptiveProposal& proposal, const Eigen::Matrix2d& expected, orrery::RandomStream& rng) {
  const int n = 40000;
  const Eigen::VectorXd origin = Eigen::VectorXd::Zero(2);
  Eigen::VectorXd out(2);
  Eigen::MatrixXd products(3, n);
  for (int k = 0; k < n; ++k) {
    proposal.propose(origin, rng, out);
    products.col(k) << out[0] * out[0], out[0] * out[1], out[1] * out[1];
  }
  const int index[3][2] = {{0, 0}, {0, 1}, {1, 1}};
  for (int r = 0; r < 3; ++r) {
    const orrery::test::Estimate e = orrery::test::iid_mean(products.row(r).transpose());
    const double truth = expected(index[r][0], index[r][1]);
    INFO("entry " << r << ": " << e.value << " ± " << e.standard_error << ", expected " << truth);
    CHECK(std::abs(e.value - truth) < 4.0 * e.standard_error);
  }
}

}  // namespace

TEST_CASE("adaptive proposal uses the initial diagonal, then (2.38²/d) times the learned covariance",
          "[core][sampler]") {
  orrery::RandomStream rng(31);
  const Eigen::Vector2d initial_sd(0.5, 3.0);
  Eigen::Matrix2d cov;
  cov << 2.0, -1.2, -1.2, 1.5;

  for (const AdaptiveProposal::Shape shape : {AdaptiveProposal::Shape::Full, AdaptiveProposal::Shape::Diagonal}) {
    const bool full = shape == AdaptiveProposal::Shape::Full;
    INFO((full ? "full" : "diagonal"));
    AdaptiveProposal proposal(initial_sd, shape, 0.234);
    CHECK(proposal.minimum_samples() == 100);
    check_step_covariance(proposal, Eigen::Vector2d(0.25, 9.0).asDiagonal().toDenseMatrix(), rng);

    const Eigen::Matrix2d learned = teach(proposal, cov, 2000, 0.234, rng);
    REQUIRE(proposal.uses_empirical_covariance());
    CHECK(proposal.scale() == 1.0);
    // The factor was last refreshed at a multiple of the refresh interval
    // after minimum_samples(); 2000 states is exactly such a point.
    REQUIRE((2000 - proposal.minimum_samples()) % AdaptiveProposal::kRefreshInterval == 0);
    Eigen::Matrix2d expected = (2.38 * 2.38 / 2.0) * learned;
    expected.diagonal() *= 1.0 + 1e-6;
    if (!full) expected(0, 1) = expected(1, 0) = 0.0;
    check_step_covariance(proposal, expected, rng);
  }
}

TEST_CASE("adaptive proposal scale follows the acceptance rate", "[core][sampler]") {
  const Eigen::VectorXd state = Eigen::VectorXd::Zero(3);
  AdaptiveProposal accepting(Eigen::VectorXd::Ones(3), AdaptiveProposal::Shape::Full, 0.234);
  AdaptiveProposal rejecting(Eigen::VectorXd::Ones(3), AdaptiveProposal::Shape::Full, 0.234);
  for (int k = 0; k < 50; ++k) {
    accepting.adapt(state, 1.0);
    rejecting.adapt(state, 0.0);
  }
  CHECK(accepting.scale() > 2.0);
  CHECK(rejecting.scale() < 0.5);
  // A chain that has not moved gives no covariance to learn: the initial proposal stays.
  for (int k = 0; k < 200; ++k) rejecting.adapt(state, 0.0);
  CHECK_FALSE(rejecting.uses_empirical_covariance());
}
