// The NUTS and static HMC samplers: moments of a 10-D Gaussian with scales
// from 0.1 to 10 and of a correlated 2-D Gaussian within 4 Monte Carlo
// standard errors, Stan's warm-up windows, reproducibility across thread
// counts, non-finite regions (divergences, never crashes) and option checks.
#include <catch2/catch.hpp>

#include <Eigen/LU>
#include <cstdint>
#include <string>
#include <vector>

#include "hmc_sampler.hpp"
#include "metric_adaptation.hpp"
#include "nuts_sampler.hpp"
#include "gaussian_targets.hpp"
#include "sampler_checks.hpp"
#include "support/test_context.hpp"

using orrery::ValueTable;
using orrery::samplers::HmcSampler;
using orrery::samplers::NutsSampler;
using orrery::test::check_gaussian_moments;
using orrery::test::check_identical_runs;
using orrery::test::construction_error;
using orrery::test::SamplerRun;
using orrery::test::statistic;

namespace {

using orrery::test::correlated_target;
using orrery::test::GaussianTarget;
using orrery::test::kInf;

GaussianTarget scaled_target() { return orrery::test::scaled_target(10, 0.1, 10.0); }

/// Both samplers run in a context named "hmc" (the name seeds its stream).
template <typename S>
constexpr orrery::test::SamplerRunner<S> run_sampler{"hmc"};

std::uint64_t total_evaluations(const orrery::SampleSet& set) {
  std::uint64_t n = 0;
  for (const orrery::Chain& c : set.chains) n += c.evaluations;
  return n;
}

}  // namespace

TEST_CASE("Stan's warm-up windows", "[samplers][nuts]") {
  auto window_ends = [](std::uint64_t warmup) {
    orrery::samplers::WindowedAdaptation w(warmup);
    std::vector<std::uint64_t> ends;
    for (std::uint64_t i = 0; i < warmup; ++i) {
      if (w.end_of_window()) {
        ends.push_back(i);
        w.compute_next_window();
      }
      w.increment();
    }
    return ends;
  };
  CHECK(window_ends(1000) == std::vector<std::uint64_t>{99, 149, 249, 449, 949});
  // 150 < 75 + 25 + 50 fits: 15% / 75% / 10% → one window [22, 135).
  orrery::samplers::WindowedAdaptation short_warmup(100);
  CHECK(short_warmup.init_buffer() == 15);
  CHECK(short_warmup.term_buffer() == 10);
  CHECK(short_warmup.base_window() == 75);
  CHECK(window_ends(100) == std::vector<std::uint64_t>{89});
  CHECK(window_ends(10).empty());
}

TEST_CASE("nuts recovers a 10-D Gaussian with scales from 0.1 to 10", "[samplers][nuts]") {
  GaussianTarget target = scaled_target();
  const SamplerRun run = run_sampler<NutsSampler>(target, {{"chains", 4}, {"steps", 1000}, {"warmup", 1000}}, 11);
  const orrery::SampleSet& set = run.set;
  REQUIRE(set.chains.size() == 4);
  for (const orrery::Chain& chain : set.chains) {
    CHECK(chain.draws.rows() == 1000);
    CHECK(chain.draws.cols() == 10);
    CHECK(chain.nonfinite_rejections < 50);  // early warm-up only, before the step size settles
    CHECK(chain.acceptance_rate > 0.6);
    CHECK(chain.acceptance_rate < 0.97);
    for (Eigen::Index n = 0; n < chain.draws.rows(); n += 97)
      CHECK(chain.log_density[n] == Approx(target.log_density(chain.draws.row(n).transpose())).epsilon(1e-12));
  }
  const double ess = check_gaussian_moments(set, target, false);
  const double evaluations = static_cast<double>(total_evaluations(set));
  WARN("nuts 10-D: min ESS(mean) " << ess << " from " << evaluations << " gradient evaluations (warm-up included): "
                                   << ess / evaluations << " per evaluation; step size " << statistic(set, "step_size")
                                   << ", tree depth " << statistic(set, "tree_depth") << ", E-BFMI "
                                   << statistic(set, "ebfmi") << ", acceptance " << statistic(set, "acceptance_rate"));
  CHECK(statistic(set, "divergences") == 0.0);
  CHECK(statistic(set, "max_depth_saturations") == 0.0);
  CHECK(statistic(set, "tree_depth") < 5.0);  // the adapted metric removes the 100× scale spread
  CHECK(statistic(set, "ebfmi") > 0.3);
  REQUIRE(run.context->progress_requests().size() == 1);
  CHECK(run.context->progress_requests()[0].second == 4 * 2000);
  CHECK(run.context->progress_done() == 4 * 2000);
}

TEST_CASE("nuts and hmc recover a correlated 2-D Gaussian", "[samplers][nuts][hmc]") {
  GaussianTarget target = correlated_target();
  SECTION("nuts") {
    check_gaussian_moments(run_sampler<NutsSampler>(target, {{"steps", 2000}, {"warmup", 500}}, 3).set, target,
                           true);
  }
  SECTION("hmc") {
    check_gaussian_moments(
        run_sampler<HmcSampler>(target, {{"steps", 2000}, {"warmup", 500}, {"n_leapfrog", 10}}, 4).set, target,
        true);
  }
  SECTION("nuts, dense metric") {
    const orrery::SampleSet set =
        run_sampler<NutsSampler>(target, {{"steps", 2000}, {"warmup", 500}, {"metric", "dense"}}, 6).set;
    check_gaussian_moments(set, target, true);
    // The dense metric whitens the correlation: short trajectories suffice.
    CHECK(statistic(set, "tree_depth") < 2.5);
  }
  SECTION("hmc, dense metric") {
    check_gaussian_moments(
        run_sampler<HmcSampler>(target, {{"steps", 2000}, {"warmup", 500}, {"n_leapfrog", 5}, {"metric", "dense"}}, 7)
            .set,
        target, true);
  }
  SECTION("nuts with a short warm-up and a given step size") {
    check_gaussian_moments(
        run_sampler<NutsSampler>(target, {{"steps", 2000}, {"warmup", 100}, {"initial_step_size", 0.3}}, 5).set,
        target, true);
  }
}

TEST_CASE("hmc recovers the 10-D Gaussian", "[samplers][hmc]") {
  GaussianTarget target = scaled_target();
  const orrery::SampleSet set = run_sampler<HmcSampler>(target, {{"steps", 1000}, {"warmup", 1000}}, 12).set;
  const double ess = check_gaussian_moments(set, target, false);
  WARN("hmc 10-D: min ESS(mean) " << ess << ", " << ess / static_cast<double>(total_evaluations(set))
                                  << " per gradient evaluation; acceptance " << statistic(set, "acceptance_rate"));
  CHECK(statistic(set, "divergences") == 0.0);
}

TEST_CASE("nuts and hmc are independent of the thread count", "[samplers][nuts][hmc]") {
  GaussianTarget target = correlated_target();
  const ValueTable options = {{"chains", 3}, {"steps", 300}, {"warmup", 200}};
  const orrery::SampleSet one = run_sampler<NutsSampler>(target, options, 123, 1).set;
  check_identical_runs(one, run_sampler<NutsSampler>(target, options, 123, 2).set);
  CHECK(one.chains[0].draws != one.chains[1].draws);
  CHECK(one.chains[0].draws != run_sampler<NutsSampler>(target, options, 124, 1).set.chains[0].draws);
  check_identical_runs(run_sampler<HmcSampler>(target, options, 123, 1).set,
                       run_sampler<HmcSampler>(target, options, 123, 2).set);
}

TEST_CASE("non-finite regions are divergences, not crashes", "[samplers][nuts][hmc]") {
  GaussianTarget target = correlated_target();
  target.nan_above = 1.5;  // NaN density and gradient on part of the bulk
  for (int which = 0; which < 2; ++which) {
    const ValueTable options = {{"chains", 2}, {"steps", 1000}, {"warmup", 300}};
    const orrery::SampleSet set = which == 0 ? run_sampler<NutsSampler>(target, options, 5, 2).set
                                             : run_sampler<HmcSampler>(target, options, 5, 2).set;
    const std::uint64_t divergent = orrery::test::sum_nonfinite_rejections(set, 1.5);
    INFO((which == 0 ? "nuts" : "hmc"));
    CHECK(divergent > 10);
    CHECK(statistic(set, "divergences") > 0.0);
  }
  SECTION("a target with no finite point fails with a clear error") {
    target.nan_above = -kInf;
    CHECK_THROWS_WITH(run_sampler<NutsSampler>(target, {{"chains", 2}, {"steps", 10}}),
                      Catch::Contains("not finite") && Catch::Contains("chain"));
    CHECK_THROWS_WITH(run_sampler<HmcSampler>(target, {{"chains", 2}, {"steps", 10}}),
                      Catch::Contains("not finite") && Catch::Contains("chain"));
  }
}

TEST_CASE("nuts and hmc option checks", "[samplers][nuts][hmc]") {
  GaussianTarget target = correlated_target();
  GaussianTarget no_gradient(Eigen::Vector2d(0.0, 0.0), Eigen::Matrix2d::Identity(), false);
  auto error_for = [](orrery::Target& t, ValueTable options, bool hmc) {
    return hmc ? construction_error<HmcSampler>(t, std::move(options))
               : construction_error<NutsSampler>(t, std::move(options));
  };
  for (bool hmc : {false, true}) {
    const std::string message = error_for(no_gradient, {}, hmc);
    CHECK_THAT(message, Catch::Contains("option 'target'") && Catch::Contains("gradient") &&
                            Catch::Contains("@posterior"));
    CHECK_THAT(error_for(target, {{"chains", 0}}, hmc), Catch::Contains("option 'chains'"));
    CHECK_THAT(error_for(target, {{"delta", 1.0}}, hmc), Catch::Contains("option 'delta'"));
    CHECK_THAT(error_for(target, {{"initial_step_size", 0.0}}, hmc), Catch::Contains("option 'initial_step_size'"));
    CHECK_THAT(error_for(target, {{"metric", "banana"}}, hmc), Catch::Contains("option 'metric'"));
    CHECK(error_for(target, {{"metric", "dense"}}, hmc).empty());
    CHECK(error_for(target, {}, hmc).empty());
  }
  CHECK_THAT(error_for(target, {{"max_depth", 0}}, false), Catch::Contains("option 'max_depth'"));
  CHECK_THAT(error_for(target, {{"n_leapfrog", 0}}, true), Catch::Contains("option 'n_leapfrog'"));
}
