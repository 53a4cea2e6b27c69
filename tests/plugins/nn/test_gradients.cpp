// Every layer's backward pass (input and parameter gradients) against
// fourth-order central finite differences in double precision, on random
// inputs and random parameters; relative error <= 1e-6.
#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>

#include "gradient_check.hpp"
#include "nn/activations.hpp"
#include "nn/dense.hpp"
#include "nn/layer_norm.hpp"
#include "nn/sequential.hpp"

using namespace orrery::nn;
using orrery::RandomStream;
using orrery::nn::test::check_gradients;
using orrery::nn::test::randomize_parameters;

namespace {

constexpr double kTolerance = 1e-6;

Matrix<double> random_input(Index rows, Index cols, RandomStream& rng) {
  Matrix<double> x(rows, cols);
  rng.fill_normal(x);
  return x;
}

void report(const char* name, const test::GradientErrors& e) {
  std::printf("nn gradient check %-32s input %.2e  parameters %.2e\n", name, e.input, e.parameter);
}

}  // namespace

TEST_CASE("dense backward matches finite differences", "[nn][gradient]") {
  RandomStream rng(11);
  for (Init init : {Init::glorot_uniform, Init::he_normal}) {
    Dense<double> dense(4, 3, rng, init);
    randomize_parameters(dense, rng);
    const auto e = check_gradients(dense, random_input(5, 4, rng), rng);
    report(init == Init::glorot_uniform ? "dense(4->3) glorot" : "dense(4->3) he", e);
    CHECK(e.input <= kTolerance);
    CHECK(e.parameter <= kTolerance);
  }
}

TEST_CASE("activation backward matches finite differences", "[nn][gradient]") {
  RandomStream rng(12);
  for (ActivationKind kind :
       {ActivationKind::relu, ActivationKind::tanh, ActivationKind::elu, ActivationKind::silu, ActivationKind::softplus}) {
    Activation<double> act(kind);
    Matrix<double> x = random_input(6, 5, rng) * 2.0;
    // relu and elu have a kink (elu: in the second derivative) at 0: keep every input
    // at least 0.1 away, beyond the stencil's reach of 2h = 2e-3.
    x = x.unaryExpr([](double v) { return v >= 0 ? v + 0.1 : v - 0.1; });
    const auto e = check_gradients(act, x, rng);
    report(act.describe().c_str(), e);
    CHECK(e.input <= kTolerance);
    CHECK(e.parameter == 0.0);
    CHECK(act.parameters().empty());
  }
}

TEST_CASE("activations have the documented values", "[nn]") {
  Matrix<double> x(1, 4);
  x << -30.0, -1.0, 0.5, 40.0;
  auto run = [&](ActivationKind k) {
    Activation<double> a(k);
    return Matrix<double>(a.forward(x));
  };
  const auto relu = run(ActivationKind::relu);
  const auto elu = run(ActivationKind::elu);
  const auto silu = run(ActivationKind::silu);
  const auto softplus = run(ActivationKind::softplus);
  CHECK(relu(0, 1) == 0.0);
  CHECK(relu(0, 2) == 0.5);
  CHECK(elu(0, 1) == Approx(std::exp(-1.0) - 1.0).epsilon(1e-15));
  CHECK(silu(0, 2) == Approx(0.5 / (1.0 + std::exp(-0.5))).epsilon(1e-15));
  // softplus must neither overflow for large x nor lose the tail for very negative x.
  CHECK(softplus(0, 3) == Approx(40.0).epsilon(1e-15));
  CHECK(softplus(0, 0) == Approx(std::exp(-30.0)).epsilon(1e-12));
  CHECK(softplus(0, 2) == Approx(std::log1p(std::exp(0.5))).epsilon(1e-15));
  CHECK(activation_from_name("silu") == ActivationKind::silu);
  CHECK_FALSE(activation_from_name("gelu").has_value());
}

TEST_CASE("layer norm backward matches finite differences", "[nn][gradient]") {
  RandomStream rng(13);
  LayerNorm<double> norm(6);
  randomize_parameters(norm, rng);
  Matrix<double> x = random_input(5, 6, rng);
  x.col(0).array() += 3.0;  // a non-zero mean that the layer must remove
  const auto e = check_gradients(norm, x, rng);
  report("layer_norm(6)", e);
  CHECK(e.input <= kTolerance);
  CHECK(e.parameter <= kTolerance);

  // Forward: with γ = 1, β = 0 every row has mean 0 and (biased) variance 1 − ε/(var + ε) ≈ 1.
  LayerNorm<double> plain(6, 0.0);
  const Matrix<double> y = plain.forward(x);
  for (Index i = 0; i < y.rows(); ++i) {
    CHECK(std::abs(y.row(i).mean()) < 1e-14);
    CHECK(y.row(i).squaredNorm() / 6.0 == Approx(1.0).epsilon(1e-13));
  }
}

TEST_CASE("sequential backward matches finite differences", "[nn][gradient]") {
  RandomStream rng(14);
  Sequential<double> net;
  net.emplace<Dense<double>>(3, 8, rng);
  net.emplace<LayerNorm<double>>(8);
  net.emplace<Activation<double>>(ActivationKind::tanh);
  net.emplace<Dense<double>>(8, 8, rng, Init::he_normal);
  net.emplace<Activation<double>>(ActivationKind::silu);
  net.emplace<Dense<double>>(8, 6, rng);
  net.emplace<Activation<double>>(ActivationKind::softplus);
  net.emplace<Dense<double>>(6, 2, rng);
  randomize_parameters(net, rng);
  for (auto& p : net.parameters()) p *= 0.5;  // keep pre-activations O(1)
  CHECK(net.describe() ==
        "sequential[dense(3->8),layer_norm(8),tanh,dense(8->8),silu,dense(8->6),softplus,dense(6->2)]");
  CHECK(net.parameter_count() == 3 * 8 + 8 + 16 + 8 * 8 + 8 + 8 * 6 + 6 + 6 * 2 + 2);
  const auto e = check_gradients(net, random_input(7, 3, rng), rng);
  report("sequential (8 layers)", e);
  CHECK(e.input <= kTolerance);
  CHECK(e.parameter <= kTolerance);
}

TEST_CASE("backward accumulates parameter gradients until zero_grad", "[nn]") {
  RandomStream rng(15);
  Dense<double> dense(3, 2, rng);
  Matrix<double> x = random_input(4, 3, rng), g = random_input(4, 2, rng);
  dense.forward(x);
  dense.backward(g);
  const Eigen::VectorXd once = dense.gradients()[0];
  dense.backward(g);
  CHECK((Eigen::VectorXd(dense.gradients()[0]) - 2.0 * once).cwiseAbs().maxCoeff() < 1e-14);
  dense.zero_grad();
  for (const auto& t : dense.gradients()) CHECK(t.isZero(0.0));
}

TEST_CASE("shape mismatches throw naming the layer", "[nn]") {
  RandomStream rng(16);
  Dense<float> dense(3, 2, rng);
  Matrix<float> wrong(4, 5);
  wrong.setZero();
  CHECK_THROWS_WITH(dense.forward(wrong), Catch::Contains("dense(3->2)") && Catch::Contains("expected 3 columns"));
  Matrix<float> x = Matrix<float>::Zero(4, 3);
  dense.forward(x);
  CHECK_THROWS_WITH(dense.backward(wrong), Catch::Contains("grad_output"));
  CHECK_THROWS_AS(Dense<float>(0, 2, rng), orrery::Error);
  Sequential<float> empty;
  CHECK_THROWS_WITH(empty.forward(x), Catch::Contains("empty"));
}
