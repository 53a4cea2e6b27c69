// The sklearn-style classifier behind C2ST (calibration/mlp_classifier.hpp):
// it learns a separable problem and stops exactly by sklearn's tol rule.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <vector>

#include "calibration/mlp_classifier.hpp"
#include "orrery/error.hpp"

using namespace orrery::calibration;
using orrery::RandomStream;

namespace {

// Two classes on either side of the circle of radius 1 (not linearly separable).
void ring_data(int n, RandomStream rng, orrery::nn::Matrix<float>& x, std::vector<int>& y) {
  x.resize(n, 2);
  y.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const double a = rng.uniform(-2.0, 2.0), b = rng.uniform(-2.0, 2.0);
    x(i, 0) = static_cast<float>(a);
    x(i, 1) = static_cast<float>(b);
    y[static_cast<std::size_t>(i)] = a * a + b * b < 1.5 ? 1 : 0;
  }
}

}  // namespace

TEST_CASE("mlp classifier learns a ring and stops by the tol rule") {
  orrery::nn::Matrix<float> x, x_test;
  std::vector<int> y, y_test;
  ring_data(1000, RandomStream(1), x, y);
  ring_data(500, RandomStream(2), x_test, y_test);
  MlpClassifierOptions o;
  o.hidden = {20, 20};
  o.max_iter = 2000;
  RandomStream init(3);
  MlpClassifier clf(2, o, init);
  const MlpFitReport report = clf.fit(x, y, RandomStream(4));
  INFO("epochs " << report.epochs << " final loss " << report.loss_curve.back());
  CHECK(clf.accuracy(x_test, y_test) > 0.95);
  REQUIRE(report.converged);
  REQUIRE(report.epochs == static_cast<int>(report.loss_curve.size()));
  // sklearn's rule: the last n_iter_no_change + 1 epochs each failed to beat the
  // best loss before them by tol, and the epoch before them did beat it.
  const auto& c = report.loss_curve;
  const int e = report.epochs, k = o.n_iter_no_change + 1;
  REQUIRE(e > k + 1);
  auto best_before = [&](int i) { return *std::min_element(c.begin(), c.begin() + i); };
  for (int i = e - k; i < e; ++i) CHECK(c[static_cast<std::size_t>(i)] > best_before(i) - o.tol);
  CHECK(c[static_cast<std::size_t>(e - k - 1)] <= best_before(e - k - 1) - o.tol);
  const Eigen::VectorXf p = clf.predict_proba(x_test);
  CHECK(p.minCoeff() >= 0.0f);
  CHECK(p.maxCoeff() <= 1.0f);
}

TEST_CASE("mlp classifier rejects bad options and data") {
  RandomStream init(1);
  MlpClassifierOptions o;
  o.hidden = {};
  CHECK_THROWS_WITH(MlpClassifier(2, o, init), Catch::Contains("hidden layer"));
  MlpClassifier clf(2, MlpClassifierOptions{}, init);
  orrery::nn::Matrix<float> x = orrery::nn::Matrix<float>::Zero(3, 2);
  CHECK_THROWS_WITH(clf.fit(x, std::vector<int>{0, 1, 2}, RandomStream(2)), Catch::Contains("label 2 is 2"));
  CHECK_THROWS_WITH(clf.fit(x, std::vector<int>{0, 1}, RandomStream(2)), Catch::Contains("3 rows but 2 labels"));
}
