// The MALA sampler: moments of a correlated 2-D Gaussian and of a 5-D
// Gaussian with scales from 0.3 to 3 within 4 Monte Carlo standard errors,
// reproducibility across thread counts, non-finite regions (counted
// rejections) and option checks.
#include <catch2/catch.hpp>

#include <Eigen/LU>
#include <cstdint>

#include "mala_sampler.hpp"
#include "gaussian_targets.hpp"
#include "sampler_checks.hpp"

using orrery::ValueTable;
using orrery::samplers::MalaSampler;
using orrery::test::check_gaussian_moments;
using orrery::test::statistic;

namespace {

using orrery::test::correlated_target;
using orrery::test::GaussianTarget;
using orrery::test::kInf;

GaussianTarget scaled_target() { return orrery::test::scaled_target(5, 0.3, 3.0); }

/// Runs a MalaSampler in a context named "mala" (the name seeds its stream).
constexpr orrery::test::SamplerRunner<MalaSampler> run_mala{"mala"};

}  // namespace

TEST_CASE("mala recovers a correlated 2-D Gaussian", "[samplers][mala]") {
  GaussianTarget target = correlated_target();
  const orrery::SampleSet set = run_mala(target, {{"chains", 4}, {"steps", 5000}, {"warmup", 1000}}, 7).set;
  REQUIRE(set.chains.size() == 4);
  const double ess = check_gaussian_moments(set, target, true);
  const double acceptance = statistic(set, "acceptance_rate");
  CHECK(acceptance > 0.4);
  CHECK(acceptance < 0.75);
  CHECK(statistic(set, "nonfinite_rejections") == 0.0);
  WARN("mala 2-D: min ESS(mean) " << ess << " from 20000 draws; acceptance " << acceptance << ", step size "
                                  << statistic(set, "step_size"));
}

TEST_CASE("mala recovers a 5-D Gaussian with scales from 0.3 to 3", "[samplers][mala]") {
  GaussianTarget target = scaled_target();
  const orrery::SampleSet set = run_mala(target, {{"chains", 4}, {"steps", 5000}, {"warmup", 1000}}, 11).set;
  const double ess = check_gaussian_moments(set, target, false);
  const double acceptance = statistic(set, "acceptance_rate");
  CHECK(acceptance > 0.4);
  CHECK(acceptance < 0.75);
  WARN("mala 5-D: min ESS(mean) " << ess << " from 20000 draws; acceptance " << acceptance << ", step size "
                                  << statistic(set, "step_size"));
}

TEST_CASE("mala is independent of the thread count", "[samplers][mala]") {
  GaussianTarget target = correlated_target();
  const ValueTable options = {{"chains", 3}, {"steps", 300}, {"warmup", 200}};
  const orrery::SampleSet a = run_mala(target, options, 123, 1).set;
  const orrery::SampleSet b = run_mala(target, options, 123, 2).set;
  REQUIRE(a.chains.size() == b.chains.size());
  orrery::test::check_identical_runs(a, b);
  CHECK(a.chains[0].draws != a.chains[1].draws);
  CHECK(a.chains[0].draws != run_mala(target, options, 124, 1).set.chains[0].draws);
}

TEST_CASE("mala counts non-finite proposals as rejections", "[samplers][mala]") {
  GaussianTarget target = correlated_target();
  target.nan_above = 1.5;  // NaN density and gradient on part of the bulk
  const orrery::SampleSet set = run_mala(target, {{"chains", 2}, {"steps", 1000}, {"warmup", 300}}, 5, 2).set;
  const std::uint64_t rejected = orrery::test::sum_nonfinite_rejections(set, 1.5);
  CHECK(rejected > 10);
  CHECK(statistic(set, "nonfinite_rejections") > 0.0);
  SECTION("a target with no finite point fails with a clear error") {
    target.nan_above = -kInf;
    CHECK_THROWS_WITH(run_mala(target, {{"chains", 2}, {"steps", 10}}),
                      Catch::Contains("not finite") && Catch::Contains("chain"));
  }
}

TEST_CASE("mala option checks", "[samplers][mala]") {
  GaussianTarget target = correlated_target();
  GaussianTarget no_gradient(Eigen::Vector2d(0.0, 0.0), Eigen::Matrix2d::Identity(), false);
  auto error_for = [](orrery::Target& t, ValueTable options) {
    return orrery::test::construction_error<MalaSampler>(t, std::move(options));
  };
  CHECK_THAT(error_for(no_gradient, {}),
             Catch::Contains("option 'target'") && Catch::Contains("gradient") && Catch::Contains("@posterior"));
  CHECK_THAT(error_for(target, {{"chains", 0}}), Catch::Contains("option 'chains'"));
  CHECK_THAT(error_for(target, {{"target_acceptance", 1.0}}), Catch::Contains("option 'target_acceptance'"));
  CHECK_THAT(error_for(target, {{"initial_step_size", 0.0}}), Catch::Contains("option 'initial_step_size'"));
  CHECK(error_for(target, {{"initial_step_size", 0.1}}).empty());
  CHECK(error_for(target, {}).empty());
}
