// End to end: configs/nuts_funnel.toml and configs/ensemble_rosenbrock.toml
// through the real CLI at reduced size, with a non-posterior target given by
// `target = "@name"`. The summaries are compared with the exact moments
// (docs/plugins/toy.md) loosely: these runs are short, and the sampler
// validation itself is tests/plugins/toy/test_sampler_validation.cpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "cli_harness.hpp"

using orrery::test::kSourceDir;
using orrery::test::Workspace;

namespace {
std::string config(const char* name) { return "'" + (kSourceDir / "configs" / name).string() + "'"; }
}  // namespace

TEST_CASE("nuts_funnel: NUTS on Neal's funnel, reduced size", "[e2e][toy]") {
  Workspace ws;
  const auto r = ws.orrery("run " + config("nuts_funnel.toml") +
                           " -q --set components.sampler.warmup=500 --set components.sampler.steps=1000");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(ws.read("runs/nuts_funnel/chain.paramnames").rfind("v", 0) == 0);  // labelled by the target's own space
  const auto sampler = ws.json("runs/nuts_funnel/summary.json")["samplers"]["sampler"];
  CHECK(sampler["plugin"] == "samplers.nuts");
  const auto& params = sampler["parameters"];
  REQUIRE(params.size() == 10);
  CHECK(params[0]["name"] == "v");
  // v ~ N(0, 3²); NUTS misses part of the neck, so sd(v) comes out somewhat low.
  INFO(params[0].dump());
  CHECK(std::abs(params[0]["mean"].get<double>()) < 1.0);
  CHECK(params[0]["sd"].get<double>() > 2.0);
  CHECK(params[0]["sd"].get<double>() < 3.5);
  for (std::size_t i = 1; i < 10; ++i) CHECK(std::abs(params[i]["mean"].get<double>()) < 3.0);  // sd e^(9/4) ≈ 9.5
  // The funnel's signature in the diagnostics: poor energy transitions.
  CHECK(sampler["statistics"]["ebfmi"].get<double>() < 0.3);
}

TEST_CASE("ensemble_rosenbrock: the ensemble sampler on the emcee paper's Rosenbrock density, reduced size",
          "[e2e][toy]") {
  Workspace ws;
  const auto r = ws.orrery("run " + config("ensemble_rosenbrock.toml") +
                           " -q --set components.sampler.steps=40000 --set components.sampler.thin=20");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto sampler = ws.json("runs/ensemble_rosenbrock/summary.json")["samplers"]["sampler"];
  CHECK(sampler["plugin"] == "samplers.ensemble");
  const auto& params = sampler["parameters"];
  REQUIRE(params.size() == 2);
  CHECK(params[0]["name"] == "x1");
  INFO(params.dump());
  // Exact: x1 mean 1, sd √10 ≈ 3.16; x2 mean 11, sd ≈ 15.5. 64 walkers × 40 000
  // steps give a bulk ESS of about 500 (τ ≈ 1000 steps), and the far tail of
  // x2 fills slowly, so the bounds are several standard errors wide.
  CHECK(std::abs(params[0]["mean"].get<double>() - 1.0) < 0.5);
  CHECK(std::abs(params[0]["sd"].get<double>() - std::sqrt(10.0)) < 0.6);
  CHECK(std::abs(params[1]["mean"].get<double>() - 11.0) < 4.0);
  CHECK(std::abs(params[1]["sd"].get<double>() - std::sqrt(240.1)) < 6.0);
}
