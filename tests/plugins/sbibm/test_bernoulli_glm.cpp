// bernoulli_glm's fixed design and prior: the stimulus reproduces numpy's
// RandomState(42).randn(100) as stored in stimulus_I.csv, the design matrix
// equals design_matrix.csv, Xᵀ y of every stored raw observation equals the
// stored summary, and the prior's precision (hand-computed entries), its
// normalised log-density, gradient and draws (covariance P⁻¹ within 4 MCSE).
#include <catch2/catch.hpp>

#include <Eigen/LU>
#include <cmath>
#include <numbers>

#include "bernoulli_glm.hpp"
#include "bernoulli_glm_prior.hpp"
#include "glm_design.hpp"
#include "reference_data.hpp"
#include "sbibm_test_support.hpp"
#include "support/numerics.hpp"

using orrery::sbibm::BernoulliGlmPrior;
using orrery::sbibm::test::kValidationDir;

namespace {

const std::filesystem::path kGlmDir = kValidationDir / "sbibm" / "bernoulli_glm";

}  // namespace

TEST_CASE("bernoulli_glm stimulus reproduces numpy RandomState 42 randn") {
  // numpy.random.RandomState(42).randn(3) as numpy prints it at full precision
  // (the first two also agree with the stored file's 9 digits).
  const Eigen::VectorXd first = orrery::sbibm::numpy_legacy_randn(42, 3);
  CHECK(first[0] == Approx(0.4967141530112327).epsilon(1e-15));
  CHECK(first[1] == Approx(-0.13826430117118466).epsilon(1e-15));
  CHECK(first[2] == Approx(0.6476885381006925).epsilon(1e-15));
  const orrery::sbibm::CsvTable stored = orrery::sbibm::read_csv(kGlmDir / "stimulus_I.csv");
  REQUIRE(stored.rows.rows() == 100);
  REQUIRE(stored.rows.cols() == 1);
  const orrery::sbibm::GlmStimulus stimulus = orrery::sbibm::glm_stimulus();
  for (int t = 0; t < 100; ++t) {
    INFO("t = " << t << ": " << stimulus[t] << " vs stored " << stored.rows(t, 0));
    // The file holds 9 significant digits of the float32 values.
    CHECK(std::abs(stimulus[t] - stored.rows(t, 0)) <= 1e-8 * std::max(1.0, std::abs(stored.rows(t, 0))));
    CHECK(static_cast<double>(static_cast<float>(stored.rows(t, 0))) == stimulus[t]);  // bit for bit as float32
  }
}

TEST_CASE("bernoulli_glm design matrix equals the stored one") {
  const orrery::sbibm::CsvTable stored = orrery::sbibm::read_csv(kGlmDir / "design_matrix.csv");
  REQUIRE(stored.rows.rows() == 100);
  REQUIRE(stored.rows.cols() == 10);
  const auto& design = orrery::sbibm::glm_design();
  CHECK((design - stored.rows).cwiseAbs().maxCoeff() <= 1e-8 * 4.0);
  CHECK(design(0, 2) == 0.0);       // X[t, j + 1] = 0 for t < j
  CHECK(design(99, 9) == design(91, 1));  // X[t, j + 1] = I[t - j]
}

TEST_CASE("bernoulli_glm summary of every raw observation equals the stored observation") {
  for (int k = 1; k <= 10; ++k) {
    const std::filesystem::path folder = orrery::sbibm::reference_folder(kValidationDir, "bernoulli_glm", k);
    const orrery::sbibm::CsvTable raw = orrery::sbibm::read_csv(folder / "observation_raw.csv");
    const orrery::sbibm::CsvTable x = orrery::sbibm::read_csv(folder / "observation.csv");
    REQUIRE(raw.rows.size() == 100);
    REQUIRE(x.rows.size() == 10);
    const Eigen::VectorXd y = raw.rows.row(0).transpose();
    CHECK(((y.array() == 0.0) || (y.array() == 1.0)).all());
    const Eigen::VectorXd summary = orrery::sbibm::BernoulliGlm::summary(y);
    INFO("observation " << k << ": largest difference " << (summary - x.rows.row(0).transpose()).cwiseAbs().maxCoeff());
    CHECK((summary - x.rows.row(0).transpose()).cwiseAbs().maxCoeff() <= 1e-4);
  }
}

TEST_CASE("bernoulli_glm prior precision has the documented entries") {
  const orrery::sbibm::GlmMatrix p = BernoulliGlmPrior::precision();
  CHECK(p == p.transpose());
  CHECK(p(0, 0) == 0.5);
  CHECK(p.row(0).tail<9>().isZero());
  // F = D D + diag(sqrt(i/9)): column 0 of D D is (1, -2, 1, 0, ...) and
  // F[0, 0] = 1 + 0, so P[1, 1] = 1 + 4 + 1 = 6.
  CHECK(p(1, 1) == Approx(6.0).epsilon(1e-14));
  // P[9, 9] = F[8, 8]² = (1 + sqrt(8/9))², the last column of F having one entry.
  CHECK(p(9, 9) == Approx(std::pow(1.0 + std::sqrt(8.0 / 9.0), 2)).epsilon(1e-14));
  // P[1, 2] = Σ_k F[k, 0] F[k, 1]: F[:, 0] = (1, -2, 1), F[:, 1] = (0, 1 + 1/3, -2, 1).
  CHECK(p(1, 2) == Approx(-2.0 * (4.0 / 3.0) + 1.0 * -2.0).epsilon(1e-14));
}

TEST_CASE("bernoulli_glm prior log_prob is the normalised Gaussian with gradient -P theta") {
  const auto prior = orrery::test::build<BernoulliGlmPrior>({});
  CHECK(prior->dimension() == 10);
  const Eigen::MatrixXd p = BernoulliGlmPrior::precision();
  const Eigen::MatrixXd cov = p.inverse();
  Eigen::VectorXd theta(10);
  theta << 0.8, 2.2, 2.9, 2.6, 0.4, -1.0, -1.8, -1.5, -0.2, 0.3;
  // log N(θ; 0, Σ) = -½ θᵀ Σ⁻¹ θ - ½ log det(2π Σ), with Σ from a dense inverse.
  const double expected = -0.5 * theta.dot(cov.fullPivLu().solve(theta)) -
                          0.5 * std::log((2.0 * std::numbers::pi * cov).determinant());
  CHECK(prior->log_prob(theta) == Approx(expected).epsilon(1e-12));
  CHECK(prior->has_gradient());
  Eigen::VectorXd grad(10);
  CHECK(prior->log_prob_gradient(theta, grad) == Approx(expected).epsilon(1e-12));
  const Eigen::VectorXd numeric = orrery::test::finite_difference_gradient(
      [&](const Eigen::VectorXd& x) { return prior->log_prob(x); }, theta);
  CHECK((grad - numeric).cwiseAbs().maxCoeff() <= 1e-6 * std::max(1.0, numeric.cwiseAbs().maxCoeff()));
  CHECK(std::isinf(prior->lower()));
  CHECK(std::isinf(prior->upper()));
}

TEST_CASE("bernoulli_glm prior draws have covariance P inverse") {
  const auto prior = orrery::test::build<BernoulliGlmPrior>({});
  const Eigen::MatrixXd cov = Eigen::MatrixXd(BernoulliGlmPrior::precision()).inverse();
  const int n = 100000;
  orrery::RandomStream rng(31);
  Eigen::MatrixXd draws(10, n);
  for (int j = 0; j < n; ++j) prior->sample(rng, draws.col(j));
  for (Eigen::Index i = 0; i < 10; ++i) {
    const orrery::test::Estimate m = orrery::test::iid_mean(draws.row(i).transpose());
    CHECK(std::abs(m.value) <= 4.0 * m.standard_error);
    for (Eigen::Index j = i; j < 10; ++j) {
      const Eigen::VectorXd products = (draws.row(i).array() * draws.row(j).array()).transpose().matrix();
      const orrery::test::Estimate c = orrery::test::iid_mean(products);
      INFO("covariance " << i << "," << j << ": " << c.value << " ± " << c.standard_error << " vs " << cov(i, j));
      CHECK(std::abs(c.value - cov(i, j)) <= 4.0 * c.standard_error);
    }
  }
}
