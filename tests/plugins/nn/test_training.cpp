// An MLP trained with Adam (float32, cosine learning-rate decay, mini-batches)
// fits y = sin(x) on [−3, 3]; fixed seed, fixed number of epochs.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <numeric>
#include <vector>

#include "mlp.hpp"
#include "nn/adam.hpp"
#include "nn/loss.hpp"

using namespace orrery::nn;
using orrery::RandomStream;

TEST_CASE("an MLP trained with Adam fits sin(x) on [-3, 3]", "[nn][training]") {
  constexpr Index kTrain = 256, kBatch = 32, kEpochs = 300;
  RandomStream rng(2024);
  Matrix<float> x(kTrain, 1), y(kTrain, 1);
  for (Index i = 0; i < kTrain; ++i) {
    x(i, 0) = static_cast<float>(rng.uniform(-3.0, 3.0));
    y(i, 0) = std::sin(x(i, 0));
  }

  Sequential<float> net;
  test::build_mlp(net, 1, 32, 1, rng);
  AdamOptions options;
  options.learning_rate = 1e-2;
  options.clip_norm = 5.0;
  Adam<float> adam(net, options);
  const std::int64_t total_steps = kEpochs * (kTrain / kBatch);
  adam.set_schedule(cosine_schedule(1e-2, total_steps, 1e-4));

  std::vector<Index> order(kTrain);
  std::iota(order.begin(), order.end(), Index{0});
  Matrix<float> xb(kBatch, 1), yb(kBatch, 1), grad;
  Matrix<float> eval_grad;
  const float initial = mse_loss(net.forward(x), y, eval_grad);
  for (Index epoch = 0; epoch < kEpochs; ++epoch) {
    for (Index i = kTrain - 1; i > 0; --i)  // Fisher–Yates with the test's own stream
      std::swap(order[static_cast<std::size_t>(i)],
                order[static_cast<std::size_t>(rng.below(static_cast<std::uint64_t>(i + 1)))]);
    for (Index b = 0; b < kTrain / kBatch; ++b) {
      for (Index k = 0; k < kBatch; ++k) {
        const Index row = order[static_cast<std::size_t>(b * kBatch + k)];
        xb(k, 0) = x(row, 0);
        yb(k, 0) = y(row, 0);
      }
      net.zero_grad();
      mse_loss(net.forward(xb), yb, grad);
      net.backward(grad);
      adam.step();
    }
  }

  // Held-out check on a uniform grid over the same interval.
  Matrix<float> grid(201, 1), truth(201, 1);
  for (Index i = 0; i < grid.rows(); ++i) {
    grid(i, 0) = static_cast<float>(-3.0 + 6.0 * static_cast<double>(i) / 200.0);
    truth(i, 0) = std::sin(grid(i, 0));
  }
  const float train_mse = mse_loss(net.forward(x), y, eval_grad);
  const float grid_mse = mse_loss(net.forward(grid), truth, eval_grad);
  std::printf("nn regression sin(x): initial MSE %.3e, after %lld epochs train MSE %.3e, grid MSE %.3e\n",
              static_cast<double>(initial), static_cast<long long>(kEpochs), static_cast<double>(train_mse),
              static_cast<double>(grid_mse));
  CHECK(adam.steps() == total_steps);
  CHECK(grid_mse < 1e-3f);
  CHECK(train_mse < 1e-3f);
}
