// Convolutional layers: Conv2d against a direct loop, and every layer's backward
// pass (input and parameter gradients) against fourth-order central finite
// differences in double precision (relative error <= 1e-6, as test_gradients.cpp),
// over several kernel / stride / padding combinations; then the same for the
// wrappers (Residual, SkipConcat), a small conv net and a tiny U-Net.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gradient_check.hpp"
#include "nn/activations.hpp"
#include "nn/conv2d.hpp"
#include "nn/dense.hpp"
#include "nn/pooling.hpp"
#include "nn/residual.hpp"
#include "nn/sequential.hpp"
#include "nn/serialization.hpp"
#include "nn/upsample.hpp"

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

/// Inputs whose entries are a random permutation of −s·N/2, ..., s·(N/2 − 1), spaced
/// s = 0.01 apart: far beyond the stencil's reach (2h = 2e-3), so no finite-difference
/// step can change which entry of a max-pooling window is the largest.
Matrix<double> well_separated_input(Index rows, Index cols, RandomStream& rng) {
  Matrix<double> x(rows, cols);
  const Index n = x.size();
  for (Index i = 0; i < n; ++i) x.data()[i] = 0.01 * static_cast<double>(i - n / 2);
  for (Index i = n - 1; i > 0; --i)
    std::swap(x.data()[i], x.data()[static_cast<Index>(rng.below(static_cast<std::uint64_t>(i + 1)))]);
  return x;
}

void report(const std::string& name, const test::GradientErrors& e) {
  std::printf("nn gradient check %-44s input %.2e  parameters %.2e\n", name.c_str(), e.input, e.parameter);
}

void check_layer(Layer<double>& layer, const Matrix<double>& x, RandomStream& rng) {
  const auto e = check_gradients(layer, x, rng);
  report(layer.describe(), e);
  CHECK(e.input <= kTolerance);
  CHECK(e.parameter <= kTolerance);
}

struct ConvCase {
  Index in_channels, out_channels, kernel, stride, padding, height, width;
};

// Covers 1×1 kernels, "same" padding, strides that do and do not divide the input
// (leaving pixels no window reads), padding wider than the image border, non-square
// images and a kernel larger than the unpadded image.
const std::vector<ConvCase> kConvCases = {
    {1, 1, 1, 1, 0, 3, 3}, {2, 3, 3, 1, 1, 5, 5}, {2, 2, 3, 2, 1, 6, 7}, {3, 2, 2, 2, 0, 4, 4},
    {1, 2, 5, 1, 2, 5, 4}, {2, 2, 3, 3, 0, 7, 8}, {1, 1, 4, 1, 3, 3, 3}, {2, 1, 3, 2, 2, 5, 6},
};

Conv2d<double> make_conv(const ConvCase& c, RandomStream& rng) {
  return Conv2d<double>(c.in_channels, c.out_channels, c.kernel, c.stride, c.padding, c.height, c.width, rng);
}

/// The convolution written directly from its definition, one output value at a time.
Matrix<double> naive_conv(Conv2d<double>& conv, const Matrix<double>& x) {
  const ImageShape in = conv.input_shape(), out = conv.output_shape();
  const Index k = conv.kernel(), s = conv.stride(), p = conv.padding();
  Matrix<double> y(x.rows(), out.size());
  for (Index i = 0; i < x.rows(); ++i)
    for (Index o = 0; o < out.channels; ++o)
      for (Index oy = 0; oy < out.height; ++oy)
        for (Index ox = 0; ox < out.width; ++ox) {
          double sum = conv.bias()(o);
          for (Index c = 0; c < in.channels; ++c)
            for (Index ky = 0; ky < k; ++ky)
              for (Index kx = 0; kx < k; ++kx) {
                const Index iy = oy * s - p + ky, ix = ox * s - p + kx;
                if (iy < 0 || iy >= in.height || ix < 0 || ix >= in.width) continue;
                sum += conv.weight()(o, (c * k + ky) * k + kx) * x(i, (c * in.height + iy) * in.width + ix);
              }
          y(i, (o * out.height + oy) * out.width + ox) = sum;
        }
  return y;
}

}  // namespace

TEST_CASE("conv2d matches a direct convolution loop", "[nn][conv]") {
  RandomStream rng(31);
  for (const auto& c : kConvCases) {
    auto conv = make_conv(c, rng);
    randomize_parameters(conv, rng);
    const Matrix<double> x = random_input(3, c.in_channels * c.height * c.width, rng);
    const Matrix<double> expected = naive_conv(conv, x);
    const Matrix<double> y = conv.forward(x);
    INFO(conv.describe());
    REQUIRE(y.cols() == conv.output_shape().size());
    CHECK(conv.output_shape().height == (c.height + 2 * c.padding - c.kernel) / c.stride + 1);
    CHECK((y - expected).cwiseAbs().maxCoeff() <= 1e-13 * (1.0 + expected.cwiseAbs().maxCoeff()));
  }
}

TEST_CASE("conv2d backward matches finite differences", "[nn][conv][gradient]") {
  RandomStream rng(32);
  for (const auto& c : kConvCases) {
    auto conv = make_conv(c, rng);
    randomize_parameters(conv, rng);
    check_layer(conv, random_input(2, c.in_channels * c.height * c.width, rng), rng);
  }
  // he_normal initialisation constructs a layer that checks the same way.
  Conv2d<double> he(2, 4, 3, 1, 1, 4, 4, rng, Init::he_normal);
  check_layer(he, random_input(2, 32, rng), rng);
}

TEST_CASE("conv2d in float agrees with double", "[nn][conv]") {
  RandomStream rng(33);
  RandomStream same = rng;
  Conv2d<float> conv_f(3, 4, 3, 2, 1, 9, 8, rng);
  Conv2d<double> conv_d(3, 4, 3, 2, 1, 9, 8, same);
  const Matrix<double> x = random_input(4, 3 * 9 * 8, rng);
  const Matrix<double> y = conv_d.forward(x);
  const Matrix<double> yf = conv_f.forward(x.cast<float>()).cast<double>();
  CHECK((y - yf).cwiseAbs().maxCoeff() <= 1e-5 * (1.0 + y.cwiseAbs().maxCoeff()));
}

TEST_CASE("pooling backward matches finite differences", "[nn][conv][gradient]") {
  RandomStream rng(34);
  // (channels, height, width, kernel): even sizes, and odd ones whose last row/column
  // no window covers (their gradient must be zero, which the check also compares).
  const std::vector<std::array<Index, 4>> cases = {
      {2, 4, 4, 2}, {3, 5, 7, 2}, {1, 6, 6, 3}, {2, 7, 5, 3}, {1, 3, 3, 1}};
  for (const auto& [c, h, w, k] : cases) {
    MaxPool2d<double> max_pool(c, h, w, k);
    check_layer(max_pool, well_separated_input(3, c * h * w, rng), rng);
    AvgPool2d<double> avg_pool(c, h, w, k);
    check_layer(avg_pool, random_input(3, c * h * w, rng), rng);
  }
}

TEST_CASE("pooling and up-sampling have the documented values", "[nn][conv]") {
  // One 1×3×4 image (the last row is dropped by a 2×2 pool) and one 2-channel 2×2 image.
  Matrix<double> x(1, 12);
  x << 1, 5, 2, 0,  //
      3, 4, 8, 7,   //
      9, 9, 9, 9;
  MaxPool2d<double> max_pool(1, 3, 4, 2);
  AvgPool2d<double> avg_pool(1, 3, 4, 2);
  const Matrix<double> m = max_pool.forward(x), a = avg_pool.forward(x);
  REQUIRE(m.cols() == 2);
  CHECK(m(0, 0) == 5.0);
  CHECK(m(0, 1) == 8.0);
  CHECK(a(0, 0) == 3.25);
  CHECK(a(0, 1) == 4.25);
  Matrix<double> g(1, 2);
  g << 1.0, 2.0;
  const Matrix<double> gm = max_pool.backward(g);
  Matrix<double> expected_gm(1, 12);
  expected_gm << 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0;
  CHECK(gm == expected_gm);

  Matrix<double> small(1, 8);
  small << 1, 2, 3, 4, 5, 6, 7, 8;
  Upsample2d<double> up(2, 2, 2, 2);
  const Matrix<double> u = up.forward(small);
  Matrix<double> expected_u(1, 32);
  expected_u << 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4,  //
      5, 5, 6, 6, 5, 5, 6, 6, 7, 7, 8, 8, 7, 7, 8, 8;
  CHECK(u == expected_u);
  // Pooling (average) after nearest up-sampling by the same factor is the identity.
  AvgPool2d<double> down(2, 4, 4, 2);
  CHECK(down.forward(u) == small);

  CHECK(max_pool.describe() == "max_pool2d(1x3x4,k2)");
  CHECK(avg_pool.describe() == "avg_pool2d(1x3x4,k2)");
  CHECK(up.describe() == "upsample2d(2x2x2,x2)");
}

TEST_CASE("max pooling propagates NaN", "[nn][conv]") {
  Matrix<double> x(1, 4);
  x << 1.0, std::nan(""), 3.0, 2.0;
  MaxPool2d<double> pool(1, 2, 2, 2);
  CHECK(std::isnan(pool.forward(x)(0, 0)));
}

TEST_CASE("upsample backward matches finite differences", "[nn][conv][gradient]") {
  RandomStream rng(35);
  for (Index f : {1, 2, 3}) {
    Upsample2d<double> up(2, 3, 2, f);
    check_layer(up, random_input(2, 12, rng), rng);
  }
}

TEST_CASE("residual and skip_concat backward match finite differences", "[nn][conv][gradient]") {
  RandomStream rng(36);
  auto body = std::make_unique<Sequential<double>>();
  body->emplace<Conv2d<double>>(2, 4, 3, 1, 1, 5, 5, rng);
  body->emplace<Activation<double>>(ActivationKind::tanh);
  body->emplace<Conv2d<double>>(4, 2, 3, 1, 1, 5, 5, rng);
  Residual<double> residual(std::move(body));
  randomize_parameters(residual, rng);
  for (auto& p : residual.parameters()) p *= 0.3;
  CHECK(residual.describe() == "residual[sequential[conv2d(2x5x5->4,k3,s1,p1),tanh,conv2d(4x5x5->2,k3,s1,p1)]]");
  check_layer(residual, random_input(3, 50, rng), rng);

  auto branch = std::make_unique<Sequential<double>>();
  branch->emplace<AvgPool2d<double>>(2, 4, 4, 2);
  branch->emplace<Conv2d<double>>(2, 3, 3, 1, 1, 2, 2, rng);
  branch->emplace<Upsample2d<double>>(3, 2, 2, 2);
  SkipConcat<double> skip(std::move(branch));
  randomize_parameters(skip, rng);
  const Matrix<double> x = random_input(2, 32, rng);
  const Matrix<double> y = skip.forward(x);
  REQUIRE(y.cols() == 32 + 48);  // (2 + 3) channels of 4×4
  CHECK(y.leftCols(32) == x);
  check_layer(skip, x, rng);

  // Null layers and shape-changing residual bodies are errors naming the layer.
  CHECK_THROWS_AS(Residual<double>(nullptr), orrery::Error);
  CHECK_THROWS_AS(SkipConcat<double>(nullptr), orrery::Error);
  Residual<double> bad(std::make_unique<Dense<double>>(3, 2, rng));
  Matrix<double> x3 = random_input(2, 3, rng);
  CHECK_THROWS_WITH(bad.forward(x3), Catch::Contains("residual[dense(3->2)]") && Catch::Contains("preserve"));
}

TEST_CASE("a small conv net (conv, relu, max pool, dense) passes a gradient check", "[nn][conv][gradient]") {
  RandomStream rng(37);
  Sequential<double> net;
  auto& conv1 = net.emplace<Conv2d<double>>(1, 3, 3, 1, 1, 6, 6, rng, Init::he_normal);
  net.emplace<Activation<double>>(ActivationKind::relu);
  net.emplace<MaxPool2d<double>>(3, 6, 6, 2);
  net.emplace<Conv2d<double>>(3, 4, 3, 2, 1, 3, 3, rng, Init::he_normal);
  net.emplace<Activation<double>>(ActivationKind::tanh);
  net.emplace<Dense<double>>(4 * 2 * 2, 3, rng);
  CHECK(net.describe() ==
        "sequential[conv2d(1x6x6->3,k3,s1,p1),relu,max_pool2d(3x6x6,k2),conv2d(3x3x3->4,k3,s2,p1),tanh,dense(16->3)]");
  CHECK(net.parameter_count() == 3 * 9 + 3 + 4 * 27 + 4 + 16 * 3 + 3);
  randomize_parameters(net, rng);
  for (auto& p : net.parameters()) p *= 0.5;

  // Relu and max pooling are only piecewise smooth, so (as test_gradients.cpp keeps relu
  // inputs 0.1 from the kink) the input is drawn again until no finite-difference step
  // can cross a kink. One step (at most 2h = 2e-3 on one input or parameter) moves each
  // pre-activation z of the first conv by at most 2h·S, S = max(1, |x|max, |w|max), since
  // z is linear in x, in w and in the bias. So |z| > 3h·S keeps every relu on its side,
  // and a gap > 5h·S between the two largest relu outputs of a pooling window keeps its maximum.
  constexpr double h = 1e-3;
  Matrix<double> x;
  int draws = 0;
  for (bool clear = false; !clear && draws < 200; ++draws) {
    x = random_input(2, 36, rng);
    const double s = std::max({1.0, x.cwiseAbs().maxCoeff(), conv1.weight().cwiseAbs().maxCoeff()});
    const Matrix<double> z = conv1.forward(x);
    clear = z.cwiseAbs().minCoeff() > 3 * h * s;
    for (Index i = 0; clear && i < z.rows(); ++i)
      for (Index c = 0; c < 3; ++c)
        for (Index oy = 0; oy < 3; ++oy)
          for (Index ox = 0; ox < 3; ++ox) {
            std::array<double, 4> window{};
            for (Index a = 0; a < 4; ++a)
              window[static_cast<std::size_t>(a)] =
                  std::max(0.0, z(i, (c * 6 + 2 * oy + a / 2) * 6 + 2 * ox + a % 2));
            std::sort(window.begin(), window.end());
            if (window[3] > 0.0 && window[3] - window[2] <= 5 * h * s) clear = false;
          }
  }
  std::printf("conv net: %d input draw(s) to keep the stencil off relu and max-pool kinks\n", draws);
  REQUIRE(draws < 200);
  check_layer(net, x, rng);
}

TEST_CASE("a tiny U-Net passes a gradient check and survives a weight file", "[nn][conv][gradient]") {
  RandomStream rng(38);
  // Encoder conv at 8×8, then a skip around (pool → conv at 4×4 → upsample), and a
  // decoder conv on the 4 + 4 concatenated channels back to one channel.
  auto inner = std::make_unique<Sequential<double>>();
  inner->emplace<AvgPool2d<double>>(4, 8, 8, 2);
  inner->emplace<Conv2d<double>>(4, 4, 3, 1, 1, 4, 4, rng);
  inner->emplace<Activation<double>>(ActivationKind::silu);
  inner->emplace<Upsample2d<double>>(4, 4, 4, 2);
  Sequential<double> unet;
  unet.emplace<Conv2d<double>>(1, 4, 3, 1, 1, 8, 8, rng);
  unet.emplace<Activation<double>>(ActivationKind::silu);
  unet.add(std::make_unique<SkipConcat<double>>(std::move(inner)));
  unet.emplace<Conv2d<double>>(8, 1, 3, 1, 1, 8, 8, rng);
  randomize_parameters(unet, rng);
  for (auto& p : unet.parameters()) p *= 0.5;
  const Matrix<double> x = random_input(2, 64, rng);
  check_layer(unet, x, rng);

  const Matrix<double> before = unet.forward(x);
  const auto path = std::filesystem::temp_directory_path() / "orrery-nn-conv-unet.weights";
  save_weights(unet, path);
  for (auto& p : unet.parameters()) p.setZero();
  load_weights(unet, path);
  std::filesystem::remove(path);
  CHECK(unet.forward(x) == before);
}

TEST_CASE("repeated conv steps reuse their buffers", "[nn][conv]") {
  // A proxy for "no allocation": after the first step every output and gradient
  // buffer keeps its address (Eigen reallocates only on a size change).
  RandomStream rng(39);
  Sequential<float> net;
  net.emplace<Conv2d<float>>(2, 4, 3, 1, 1, 8, 8, rng);
  net.emplace<MaxPool2d<float>>(4, 8, 8, 2);
  net.emplace<Upsample2d<float>>(4, 4, 4, 2);
  net.emplace<AvgPool2d<float>>(4, 8, 8, 2);
  Matrix<float> x(5, 128), g(5, 64);
  rng.fill_normal(x);
  rng.fill_normal(g);
  const float* y0 = net.forward(x).data();
  const float* gx0 = net.backward(g).data();
  for (int step = 0; step < 3; ++step) {
    CHECK(net.forward(x).data() == y0);
    CHECK(net.backward(g).data() == gx0);
  }
}

TEST_CASE("conv layers reject bad shapes naming the layer", "[nn][conv]") {
  RandomStream rng(40);
  CHECK_THROWS_AS(Conv2d<float>(0, 2, 3, 1, 1, 4, 4, rng), orrery::Error);
  CHECK_THROWS_AS(Conv2d<float>(1, 2, 3, 0, 1, 4, 4, rng), orrery::Error);
  CHECK_THROWS_AS(Conv2d<float>(1, 2, 3, 1, -1, 4, 4, rng), orrery::Error);
  CHECK_THROWS_WITH(Conv2d<float>(1, 2, 7, 1, 1, 4, 4, rng), Catch::Contains("larger than the padded input"));
  CHECK_THROWS_AS(MaxPool2d<float>(1, 4, 4, 5), orrery::Error);
  CHECK_THROWS_AS(AvgPool2d<float>(1, 4, 0, 2), orrery::Error);
  CHECK_THROWS_AS(Upsample2d<float>(1, 4, 4, 0), orrery::Error);

  Conv2d<float> conv(2, 3, 3, 1, 1, 4, 4, rng);
  Matrix<float> wrong = Matrix<float>::Zero(2, 31);
  CHECK_THROWS_WITH(conv.forward(wrong),
                    Catch::Contains("conv2d(2x4x4->3,k3,s1,p1)") && Catch::Contains("expected 32 columns"));
  Matrix<float> x = Matrix<float>::Zero(2, 32);
  conv.forward(x);
  CHECK_THROWS_WITH(conv.backward(wrong), Catch::Contains("grad_output"));
}
