// The multivariate Gaussian likelihood: value against the closed-form 2-D
// density, gradient against finite differences, parameter selection, and
// rejection of bad covariances.
#include <catch2/catch.hpp>

#include <cmath>
#include <thread>
#include <vector>

#include "gaussian_likelihood.hpp"
#include "support/numerics.hpp"
#include "support/test_context.hpp"

using orrery::ValueTable;
using orrery::core::GaussianLikelihood;
using orrery::test::build;
using orrery::test::config_error_message;
using orrery::test::real_list;
using orrery::test::real_matrix;
using orrery::test::scalar_space;
using orrery::test::string_list;

namespace {

/// log N(x; m, C) for 2-D x, written out with the explicit 2×2 inverse.
double bivariate_normal_log_density(double x1, double x2, double m1, double m2, double c11, double c12,
                                    double c22) {
  const double det = c11 * c22 - c12 * c12;
  const double d1 = x1 - m1;
  const double d2 = x2 - m2;
  const double chi2 = (c22 * d1 * d1 - 2.0 * c12 * d1 * d2 + c11 * d2 * d2) / det;
  return -0.5 * chi2 - std::log(2.0 * M_PI) - 0.5 * std::log(det);
}

}  // namespace

TEST_CASE("gaussian likelihood equals the closed-form bivariate normal", "[core][likelihood]") {
  // Parameters a, b, c; the likelihood constrains (c, a) in that order; b is unrelated.
  const auto like = build<GaussianLikelihood>({{"mean", real_list({0.5, -1.0})},
                                               {"cov", real_matrix({{2.0, 0.6}, {0.6, 0.5}})},
                                               {"parameters", string_list({"c", "a"})}},
                                              scalar_space({"a", "b", "c"}));
  CHECK(like->indices() == std::vector<Eigen::Index>{2, 0});
  Eigen::VectorXd theta(3);
  theta << 0.3, 7.0, 1.7;  // a, b, c
  CHECK(like->log_likelihood(theta) ==
        Approx(bivariate_normal_log_density(1.7, 0.3, 0.5, -1.0, 2.0, 0.6, 0.5)).epsilon(1e-13));
  theta << -2.0, 0.0, 0.5;
  CHECK(like->log_likelihood(theta) ==
        Approx(bivariate_normal_log_density(0.5, -2.0, 0.5, -1.0, 2.0, 0.6, 0.5)).epsilon(1e-13));

  SECTION("gradient matches finite differences and is zero for unrelated parameters") {
    REQUIRE(like->has_gradient());
    theta << 0.3, 7.0, 1.7;
    Eigen::VectorXd grad = Eigen::VectorXd::Constant(3, 99.0);  // must be overwritten
    CHECK(like->log_likelihood_gradient(theta, grad) == Approx(like->log_likelihood(theta)).epsilon(1e-15));
    const Eigen::VectorXd numeric = orrery::test::finite_difference_gradient(
        [&](const Eigen::VectorXd& p) { return like->log_likelihood(p); }, theta);
    CHECK(grad[0] == Approx(numeric[0]).epsilon(1e-7));
    CHECK(grad[1] == 0.0);
    CHECK(grad[2] == Approx(numeric[2]).epsilon(1e-7));
  }

  SECTION("batch evaluation agrees with single evaluations") {
    Eigen::MatrixXd thetas(3, 2);
    thetas << 0.3, -2.0, 7.0, 0.0, 1.7, 0.5;
    Eigen::VectorXd out(2);
    like->log_likelihood_batch(thetas, out);
    CHECK(out[0] == like->log_likelihood(thetas.col(0)));
    CHECK(out[1] == like->log_likelihood(thetas.col(1)));
  }

  SECTION("concurrent evaluation gives the serial answers") {
    const int n = 2000;
    Eigen::MatrixXd points(3, n);
    orrery::RandomStream rng(5);
    rng.fill_normal(points);
    Eigen::VectorXd serial(n), parallel(n);
    for (int j = 0; j < n; ++j) serial[j] = like->log_likelihood(points.col(j));
    std::thread other([&] {
      for (int j = 0; j < n; j += 2) parallel[j] = like->log_likelihood(points.col(j));
    });
    for (int j = 1; j < n; j += 2) parallel[j] = like->log_likelihood(points.col(j));
    other.join();
    CHECK(serial == parallel);
  }

  SECTION("a parameter vector of the wrong size is an error") {
    CHECK_THROWS_AS(like->log_likelihood(Eigen::VectorXd::Zero(2)), orrery::Error);
  }
}

TEST_CASE("gaussian likelihood defaults to the first scalar parameters", "[core][likelihood]") {
  // A field block before the scalars is skipped.
  orrery::ParameterSpace space;
  orrery::ParameterBlock field;
  field.name = "kappa";
  field.shape = {2, 2};
  space.add(field);
  for (const char* name : {"x", "y", "z"}) {
    orrery::ParameterBlock block;
    block.name = name;
    space.add(block);
  }
  const auto like = build<GaussianLikelihood>(
      {{"mean", real_list({1.0, 2.0})}, {"cov", real_matrix({{1.0, 0.0}, {0.0, 4.0}})}}, space);
  CHECK(like->indices() == std::vector<Eigen::Index>{4, 5});
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(7);
  theta[4] = 2.0;
  theta[5] = 0.0;
  // Independent: -0.5 (1 + 1) - log(2π) - 0.5 log 4.
  CHECK(like->log_likelihood(theta) == Approx(-1.0 - std::log(2.0 * M_PI) - std::log(2.0)).epsilon(1e-14));

  CHECK_THAT(config_error_message([&] {
               build<GaussianLikelihood>(
                   {{"mean", real_list({0.0, 0.0, 0.0, 0.0})},
                    {"cov", real_matrix({{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}})}},
                   space);
             }),
             Catch::Contains("option 'mean'") && Catch::Contains("only 3 scalar parameters"));
  CHECK_THAT(config_error_message([&] {
               build<GaussianLikelihood>({{"mean", real_list({0.0})},
                                          {"cov", real_matrix({{1.0}})},
                                          {"parameters", string_list({"kappa"})}},
                                         space);
             }),
             Catch::Contains("option 'parameters'") && Catch::Contains("field of shape [2, 2]"));
}

TEST_CASE("gaussian likelihood rejects bad options", "[core][likelihood]") {
  const orrery::ParameterSpace space = scalar_space({"a", "b"});
  auto error_for = [&](ValueTable options) {
    return config_error_message([&] { build<GaussianLikelihood>(std::move(options), space); });
  };
  // Not positive definite (eigenvalues 3 and -1).
  CHECK_THAT(error_for({{"mean", real_list({0, 0})}, {"cov", real_matrix({{1, 2}, {2, 1}})}}),
             Catch::Contains("option 'cov'") && Catch::Contains("positive definite"));
  // Singular.
  CHECK_THAT(error_for({{"mean", real_list({0, 0})}, {"cov", real_matrix({{1, 1}, {1, 1}})}}),
             Catch::Contains("option 'cov'"));
  // Asymmetric.
  CHECK_THAT(error_for({{"mean", real_list({0, 0})}, {"cov", real_matrix({{1, 0.5}, {0.4, 1}})}}),
             Catch::Contains("option 'cov'") && Catch::Contains("not symmetric"));
  // Wrong size.
  CHECK_THAT(error_for({{"mean", real_list({0, 0})}, {"cov", real_matrix({{1}})}}),
             Catch::Contains("option 'cov'") && Catch::Contains("2×2"));
  // Ragged rows.
  CHECK_THAT(error_for({{"mean", real_list({0, 0})}, {"cov", real_matrix({{1, 0}, {0}})}}),
             Catch::Contains("option 'cov'"));
  // Unknown parameter name, with a suggestion for a near miss.
  CHECK_THAT(error_for({{"mean", real_list({0, 0})},
                        {"cov", real_matrix({{1, 0}, {0, 1}})},
                        {"parameters", string_list({"a", "omega_m"})}}),
             Catch::Contains("option 'parameters'") && Catch::Contains("omega_m") &&
                 !Catch::Contains("did you mean"));
  CHECK_THAT(config_error_message([] {
               build<GaussianLikelihood>({{"mean", real_list({0})},
                                          {"cov", real_matrix({{1}})},
                                          {"parameters", string_list({"omega_n"})}},
                                         scalar_space({"omega_m", "sigma8"}));
             }),
             Catch::Contains("did you mean 'omega_m'?"));
  // Repeated parameter name.
  CHECK_THAT(error_for({{"mean", real_list({0, 0})},
                        {"cov", real_matrix({{1, 0}, {0, 1}})},
                        {"parameters", string_list({"a", "a"})}}),
             Catch::Contains("option 'parameters'") && Catch::Contains("more than once"));
  // Count mismatch.
  CHECK_THAT(error_for({{"mean", real_list({0, 0})},
                        {"cov", real_matrix({{1, 0}, {0, 1}})},
                        {"parameters", string_list({"a"})}}),
             Catch::Contains("option 'parameters'"));
  // Missing required option.
  CHECK_THAT(error_for({{"mean", real_list({0, 0})}}), Catch::Contains("'cov'"));
}
