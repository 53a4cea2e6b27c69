// Adam / AdamW update formulas on one-parameter problems, global gradient-norm
// clipping and the learning-rate schedules.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numbers>

#include "nn/adam.hpp"
#include "nn/schedule.hpp"

using namespace orrery::nn;

namespace {

// One scalar parameter with its gradient, as views an optimiser can hold.
struct Scalar {
  Eigen::VectorXd value = Eigen::VectorXd::Constant(1, 2.0);
  Eigen::VectorXd grad = Eigen::VectorXd::Zero(1);
  FlatViews<double> params() { return {FlatView<double>(value.data(), 1)}; }
  FlatViews<double> grads() { return {FlatView<double>(grad.data(), 1)}; }
};

}  // namespace

TEST_CASE("AdamW weight decay follows its formula", "[nn][optimizer]") {
  const double eta = 0.1, lambda = 0.2, eps = 1e-8;
  AdamOptions o;
  o.learning_rate = eta;
  o.weight_decay = lambda;
  o.epsilon = eps;

  SECTION("zero gradient: pure exponential decay θ_t = θ_0 (1 − ηλ)^t") {
    Scalar p;
    AdamW<double> opt(p.params(), p.grads(), o);
    for (int t = 0; t < 25; ++t) opt.step();
    CHECK(p.value(0) == Approx(2.0 * std::pow(1.0 - eta * lambda, 25)).epsilon(1e-14));
  }
  SECTION("constant gradient g: m̂ = g, v̂ = g², so θ ← θ(1 − ηλ) − η g / (|g| + ε)") {
    Scalar p;
    AdamW<double> opt(p.params(), p.grads(), o);
    double expected = 2.0;
    const double g = 0.5;
    for (int t = 0; t < 25; ++t) {
      p.grad(0) = g;
      opt.step();
      expected = expected * (1.0 - eta * lambda) - eta * g / (std::abs(g) + eps);
      REQUIRE(p.value(0) == Approx(expected).epsilon(1e-12));
    }
    CHECK(opt.steps() == 25);
  }
  SECTION("Adam folds λθ into the gradient instead (first step moves by η·sign(g + λθ))") {
    Scalar p;
    Adam<double> adam(p.params(), p.grads(), o);
    p.grad(0) = -0.1;  // g + λθ = −0.1 + 0.4 > 0: the penalty wins
    adam.step();
    const double g_eff = -0.1 + lambda * 2.0;
    CHECK(p.value(0) == Approx(2.0 - eta * g_eff / (std::abs(g_eff) + eps)).epsilon(1e-14));
    CHECK(p.grad(0) == -0.1);  // the caller's gradient buffer is not modified
  }
  SECTION("with λ = 0 Adam and AdamW agree") {
    o.weight_decay = 0.0;
    Scalar a, b;
    Adam<double> adam(a.params(), a.grads(), o);
    AdamW<double> adamw(b.params(), b.grads(), o);
    for (int t = 0; t < 10; ++t) {
      a.grad(0) = b.grad(0) = std::sin(t + 1.0);
      adam.step();
      adamw.step();
    }
    CHECK(a.value(0) == b.value(0));
  }
}

TEST_CASE("clipping caps the global gradient norm", "[nn][optimizer]") {
  Eigen::VectorXd a(2), b(1);
  a << 3.0, 4.0;
  b << 12.0;  // global norm 13
  FlatViews<double> grads{FlatView<double>(a.data(), 2), FlatView<double>(b.data(), 1)};
  CHECK(clip_grad_norm(grads, 20.0) == Approx(13.0));
  CHECK(a(0) == 3.0);  // below the cap: unchanged
  CHECK(clip_grad_norm(grads, 1.0) == Approx(13.0));
  CHECK(global_norm(grads) == Approx(1.0).epsilon(1e-14));
  CHECK(a(1) / a(0) == Approx(4.0 / 3.0));  // direction kept
  CHECK(b(0) == Approx(12.0 / 13.0));
  CHECK_THROWS_AS(clip_grad_norm(grads, 0.0), orrery::Error);

  SECTION("inside Adam, clip_norm applies to all tensors together") {
    Eigen::VectorXd w = Eigen::VectorXd::Zero(3), g(3);
    g << 30.0, -40.0, 0.0;
    AdamOptions o;
    o.clip_norm = 5.0;
    Adam<double> opt({FlatView<double>(w.data(), 3)}, {FlatView<double>(g.data(), 3)}, o);
    CHECK(opt.step() == Approx(50.0));
    CHECK(g.norm() == Approx(5.0).epsilon(1e-14));
  }
}

TEST_CASE("non-finite gradients stop the step and leave parameters unchanged", "[nn][optimizer]") {
  Scalar p;
  Adam<double> opt(p.params(), p.grads());
  p.grad(0) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(opt.step(), Catch::Contains("non-finite gradient norm at step 1"));
  CHECK(p.value(0) == 2.0);
  CHECK(opt.steps() == 0);
}

TEST_CASE("invalid optimiser options are rejected", "[nn][optimizer]") {
  Scalar p;
  AdamOptions o;
  o.beta1 = 1.0;
  CHECK_THROWS_WITH(Adam<double>(p.params(), p.grads(), o), Catch::Contains("beta1"));
  o = AdamOptions{};
  o.clip_norm = -1.0;
  CHECK_THROWS_WITH(AdamW<double>(p.params(), p.grads(), o), Catch::Contains("clip_norm"));
}

TEST_CASE("learning-rate schedules", "[nn][optimizer]") {
  const auto cosine = cosine_schedule(1e-2, 100, 1e-4);
  CHECK(cosine(0) == Approx(1e-2));
  CHECK(cosine(50) == Approx(0.5 * (1e-2 + 1e-4)));
  CHECK(cosine(100) == Approx(1e-4));
  CHECK(cosine(500) == Approx(1e-4));
  CHECK(cosine(25) == Approx(1e-4 + 0.5 * (1e-2 - 1e-4) * (1.0 + std::cos(std::numbers::pi / 4))));
  const auto steps = step_schedule(1.0, 10, 0.5);
  CHECK(steps(9) == 1.0);
  CHECK(steps(10) == 0.5);
  CHECK(steps(35) == 0.125);
  CHECK(constant_schedule(3e-4)(1000) == 3e-4);
  CHECK_THROWS_AS(cosine_schedule(1.0, 0), orrery::Error);

  SECTION("the optimiser uses schedule(t − 1) at step t") {
    Scalar p;
    AdamOptions o;
    o.learning_rate = 123.0;  // ignored once a schedule is set
    Adam<double> opt(p.params(), p.grads(), o);
    opt.set_schedule(step_schedule(0.1, 1, 0.5));
    CHECK(opt.learning_rate() == 0.1);
    p.grad(0) = 1.0;
    opt.step();  // first step: η = 0.1, moves by η·g/(|g|+ε)
    CHECK(p.value(0) == Approx(2.0 - 0.1 / (1.0 + 1e-8)).epsilon(1e-14));
    CHECK(opt.learning_rate() == 0.05);
  }
}
