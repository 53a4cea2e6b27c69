// MADE layer: finite-difference gradients, exact masking of weight gradients,
// and the autoregressive property of a whole conditional MADE.
#include <catch2/catch.hpp>

#include "maf_model.hpp"
#include "nn/gradient_check.hpp"
#include "nn/masked_dense.hpp"

using namespace orrery;
using orrery::nn::Matrix;

TEST_CASE("masked dense layer matches finite differences and never trains masked weights") {
  RandomStream rng(11);
  // Three variables (degrees 1..3), two conditioning inputs (degree 0), five hidden units.
  const std::vector<int> in = {1, 2, 3, 0, 0};
  const std::vector<int> hidden = nn::made_hidden_degrees(3, 5);
  nn::MaskedDense<double> layer(nn::made_mask<double>(in, hidden, false), rng);
  nn::test::randomize_parameters(layer, rng);
  Matrix<double> x(4, 5);
  rng.fill_normal(x);
  const auto errors = nn::test::check_gradients(layer, x, rng);
  CHECK(errors.input < 1e-6);
  CHECK(errors.parameter < 1e-6);
  const auto grads = layer.gradients();
  const Matrix<double>& mask = layer.mask();
  for (nn::Index i = 0; i < mask.size(); ++i)
    if (mask.data()[i] == 0.0) CHECK(grads[0](i) == 0.0);
}

TEST_CASE("conditional MADE is autoregressive (output i ignores variables i and later but sees b)") {
  const nn::Index D = 4, B = 2;
  nde::MafArchitecture arch;
  arch.dim_a = D;
  arch.dim_b = B;
  arch.hidden = 12;
  for (nn::Index transform = 0; transform < 2; ++transform) {
    RandomStream rng(5 + static_cast<std::uint64_t>(transform));
    nn::Sequential<double> made;
    nde::build_conditional_made(made, arch, transform, rng);
    nn::test::randomize_parameters(made, rng);  // forward re-applies the masks
    Matrix<double> x(1, D + B);
    rng.fill_normal(x);
    const std::vector<int> degree = nde::maf_variable_degrees(D, transform);
    bool sees_b = false;
    for (nn::Index out = 0; out < 2 * D; ++out) {
      made.zero_grad();
      made.forward(x);
      Matrix<double> seed = Matrix<double>::Zero(1, 2 * D);
      seed(0, out) = 1.0;
      const Matrix<double> row = made.backward(seed);  // ∂ output / ∂ input: one Jacobian row
      const int d_out = degree[static_cast<std::size_t>(out % D)];
      for (nn::Index j = 0; j < D; ++j)
        if (degree[static_cast<std::size_t>(j)] >= d_out) CHECK(row(0, j) == 0.0);
      for (nn::Index j = D; j < D + B; ++j) sees_b = sees_b || row(0, j) != 0.0;
    }
    CHECK(sees_b);
  }
}
