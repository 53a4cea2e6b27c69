// diagnostics.sbc / coverage / tarp on a conjugate Gaussian model whose exact
// posterior is known: the exact posterior must pass, an overconfident one
// (posterior sd halved) must fail, and results must not depend on threads.
//
// Model (d = 2): θ ~ N(0, I), x | θ ~ N(θ, 0.5² I); posterior N(0.8 x, 0.2 I).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numbers>
#include <sstream>
#include <string>

#include "calibration_tasks.hpp"
#include "orrery/amortized_posterior.hpp"
#include "support/test_context.hpp"

using namespace orrery;

namespace {

class GaussianPosterior final : public Sampler, public AmortizedPosterior {
 public:
  explicit GaussianPosterior(double sd_scale) : scale_(sd_scale) {
    for (const char* name : {"a", "b"}) {
      ParameterBlock block;
      block.name = name;
      space_.add(block);
    }
  }
  SampleSet run(Context& /*ctx*/) override { throw Error("not a sampler in this test"); }
  [[nodiscard]] const Target& target() const override { throw Error("no target in this test"); }
  void* extension(std::string_view name) override {
    return name == kAmortizedPosteriorExtension ? static_cast<AmortizedPosterior*>(this) : nullptr;
  }

  [[nodiscard]] const ParameterSpace& space() const override { return space_; }
  bool simulate(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta, Eigen::VectorXd& data) const override {
    data.resize(2);
    for (int j = 0; j < 2; ++j) {
      theta(j) = rng.normal();
      data(j) = theta(j) + 0.5 * rng.normal();
    }
    return true;
  }
  void sample(const Eigen::Ref<const Eigen::VectorXd>& data, RandomStream& rng,
              Eigen::Ref<Eigen::MatrixXd> out) const override {
    for (Eigen::Index k = 0; k < out.cols(); ++k)
      for (int j = 0; j < 2; ++j) out(j, k) = 0.8 * data(j) + sd() * rng.normal();
  }
  void log_prob(const Eigen::Ref<const Eigen::MatrixXd>& thetas, const Eigen::Ref<const Eigen::VectorXd>& data,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    for (Eigen::Index k = 0; k < thetas.cols(); ++k) {
      const Eigen::Vector2d z = (thetas.col(k) - 0.8 * data) / sd();
      out(k) = -std::log(2.0 * std::numbers::pi * sd() * sd()) - 0.5 * z.squaredNorm();
    }
  }

 private:
  [[nodiscard]] double sd() const { return scale_ * std::sqrt(0.2); }
  double scale_;
  ParameterSpace space_;
};

template <typename TaskType>
Report run_task(double sd_scale, std::size_t threads, ValueTable options = {}) {
  GaussianPosterior posterior(sd_scale);
  options.emplace_back("posterior", Value(std::string("@posterior")));
  test::TestContext ctx(std::move(options), {}, 31, "calib");
  ctx.apply_schema(TaskType::options());
  ctx.add_reference("posterior", posterior);
  ctx.set_threads(threads);
  TaskType task(ctx);
  return task.run(ctx);
}

double entry(const Report& report, const std::string& label) {
  for (const auto& [k, v] : report.entries)
    if (k == label) return std::stod(v);
  FAIL("no report entry " << label);
  return 0.0;
}

}  // namespace

TEST_CASE("sbc passes an exact posterior and flags an overconfident one") {
  const Report exact = run_task<diagnostics::SbcTask>(1.0, 1);
  const Report narrow = run_task<diagnostics::SbcTask>(0.5, 1, {{"trials", Value(std::int64_t{400})}});
  const double p_exact = entry(exact, "smallest KS p-value"), p_narrow = entry(narrow, "smallest KS p-value");
  std::printf("sbc: smallest KS p exact %.3g, overconfident %.3g\n", p_exact, p_narrow);
  CHECK(p_exact > 1e-3);
  CHECK(p_narrow < 1e-6);
  CHECK(exact.files.size() == 2);
}

TEST_CASE("coverage of an exact posterior follows the diagonal") {
  const Report exact = run_task<diagnostics::CoverageTask>(1.0, 1);
  const Report narrow = run_task<diagnostics::CoverageTask>(0.5, 1);
  const double dev_exact = entry(exact, "largest |empirical - nominal|");
  const double dev_narrow = entry(narrow, "largest |empirical - nominal|");
  std::printf("coverage: largest deviation exact %.3f, overconfident %.3f\n", dev_exact, dev_narrow);
  // 200 trials: the null sd of a coverage fraction is at most 0.035; 4 sd + the L = 200 grid step.
  CHECK(dev_exact < 4 * 0.0354 + 1.0 / 201);
  CHECK(dev_narrow > 0.25);  // a half-width posterior covers far less than nominal (≈0.4 at 0.6)
}

TEST_CASE("tarp of an exact posterior is calibrated and of an overconfident one is not") {
  const Report exact = run_task<diagnostics::TarpTask>(1.0, 1);
  const Report narrow = run_task<diagnostics::TarpTask>(0.5, 1, {{"trials", Value(std::int64_t{400})}});
  const double p_exact = entry(exact, "KS p-value of coverage values");
  const double p_narrow = entry(narrow, "KS p-value of coverage values");
  std::printf("tarp: KS p exact %.3g, overconfident %.3g\n", p_exact, p_narrow);
  CHECK(p_exact > 1e-3);
  CHECK(p_narrow < 1e-4);
}

TEST_CASE("calibration tasks give the same result on one and three threads") {
  const Report one = run_task<diagnostics::SbcTask>(1.0, 1, {{"trials", Value(std::int64_t{50})}});
  const Report three = run_task<diagnostics::SbcTask>(1.0, 3, {{"trials", Value(std::int64_t{50})}});
  CHECK(one.entries == three.entries);
}

TEST_CASE("a posterior without the amortized extension is refused with a clear message") {
  class PlainSampler final : public Sampler {
   public:
    SampleSet run(Context& /*ctx*/) override { return {}; }
    [[nodiscard]] const Target& target() const override { throw Error("none"); }
  } plain;
  test::TestContext ctx({{"posterior", Value(std::string("@plain"))}}, {}, 1, "calib");
  ctx.apply_schema(diagnostics::SbcTask::options());
  ctx.add_reference("posterior", plain);
  diagnostics::SbcTask task(ctx);
  CHECK_THROWS_WITH(task.run(ctx), Catch::Contains("offers no amortized posterior"));
}
