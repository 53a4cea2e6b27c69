// C2ST (calibration/c2st.hpp) as sbibm computes it: ≈ 0.5 for two samples of
// one distribution, ≈ 1 for well-separated ones, the Bayes accuracy for a
// modest shift; deterministic and independent of how the folds are scheduled.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <thread>
#include <vector>

#include "calibration/c2st.hpp"
#include "orrery/error.hpp"

using namespace orrery::calibration;
using orrery::RandomStream;

namespace {

// n draws of N(mean, sd² I) in `dim` dimensions, one per row.
Eigen::MatrixXd gaussian(Eigen::Index n, Eigen::Index dim, const Eigen::RowVectorXd& mean, double sd,
                         RandomStream rng) {
  Eigen::MatrixXd x(n, dim);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < dim; ++j) x(i, j) = mean(j) + sd * rng.normal();
  return x;
}

// Runs the folds on std::threads, one per item.
void threaded_for(std::size_t n, const std::function<void(std::size_t)>& body) {
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < n; ++i) threads.emplace_back(body, i);
  for (auto& t : threads) t.join();
}

}  // namespace

TEST_CASE("c2st of two samples of one distribution is one half") {
  const Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(2);
  const Eigen::MatrixXd x = gaussian(1000, 2, mean, 1.0, RandomStream(1));
  const Eigen::MatrixXd y = gaussian(1000, 2, mean, 1.0, RandomStream(2));
  const C2stResult r = c2st(x, y, RandomStream(3));
  INFO("c2st " << r.accuracy);
  REQUIRE(r.fold_accuracy.size() == 5);
  // 4 binomial standard errors of an accuracy over 2000 held-out points, plus slack for the classifier.
  CHECK(std::abs(r.accuracy - 0.5) <= 4.0 * std::sqrt(0.25 / 2000.0) + 0.01);
  double sum = 0.0;
  for (std::size_t f = 0; f < 5; ++f) {
    sum += r.fold_accuracy[f];
    CHECK(r.fold_converged[f]);
    CHECK(r.fold_epochs[f] > 10);
  }
  CHECK(r.accuracy == Approx(sum / 5.0));
}

TEST_CASE("c2st of well separated samples is one") {
  Eigen::RowVectorXd shift(2);
  shift << 10.0, 0.0;
  const Eigen::MatrixXd x = gaussian(1000, 2, Eigen::RowVectorXd::Zero(2), 1.0, RandomStream(11));
  const Eigen::MatrixXd y = gaussian(1000, 2, shift, 1.0, RandomStream(12));
  const C2stResult r = c2st(x, y, RandomStream(13));
  INFO("c2st " << r.accuracy);
  CHECK(r.accuracy > 0.98);
}

TEST_CASE("c2st of a modest shift is near the Bayes accuracy") {
  // Means one sd apart: the best classifier reaches Φ(1/2) = 0.6915.
  Eigen::RowVectorXd shift(2);
  shift << 1.0, 0.0;
  const Eigen::MatrixXd x = gaussian(1000, 2, Eigen::RowVectorXd::Zero(2), 1.0, RandomStream(21));
  const Eigen::MatrixXd y = gaussian(1000, 2, shift, 1.0, RandomStream(22));
  const C2stResult r = c2st(x, y, RandomStream(23));
  INFO("c2st " << r.accuracy);
  // Below the Bayes accuracy by at most the classifier's imperfection, above by at most 4 se.
  CHECK(r.accuracy < 0.6915 + 4.0 * std::sqrt(0.25 / 2000.0));
  CHECK(r.accuracy > 0.6915 - 4.0 * std::sqrt(0.25 / 2000.0) - 0.02);
}

TEST_CASE("c2st z-scores with the reference moments") {
  // Tiny spread around a large offset: separable only after z-scoring.
  Eigen::RowVectorXd a(1), b(1);
  a << 1000.0;
  b << 1000.05;
  const Eigen::MatrixXd x = gaussian(200, 1, a, 0.01, RandomStream(31));
  const Eigen::MatrixXd y = gaussian(200, 1, b, 0.01, RandomStream(32));
  CHECK(c2st(x, y, RandomStream(33)).accuracy > 0.95);
}

TEST_CASE("c2st is deterministic and independent of fold scheduling") {
  Eigen::RowVectorXd shift(2);
  shift << 1.0, 0.0;
  const Eigen::MatrixXd x = gaussian(300, 2, Eigen::RowVectorXd::Zero(2), 1.0, RandomStream(41));
  const Eigen::MatrixXd y = gaussian(300, 2, shift, 1.0, RandomStream(42));
  const C2stResult a = c2st(x, y, RandomStream(43));
  const C2stResult b = c2st(x, y, RandomStream(43));
  C2stOptions threaded;
  threaded.parallel_for = threaded_for;
  const C2stResult c = c2st(x, y, RandomStream(43), threaded);
  CHECK(a.accuracy == b.accuracy);
  CHECK(a.fold_accuracy == c.fold_accuracy);
  CHECK(a.fold_epochs == c.fold_epochs);
  const C2stResult d = c2st(x, y, RandomStream(44));
  CHECK(d.fold_accuracy != a.fold_accuracy);
}

TEST_CASE("c2st rejects bad input with a clear message") {
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(50, 2);
  CHECK_THROWS_WITH(c2st(x, Eigen::MatrixXd::Random(50, 3), RandomStream(1)),
                    Catch::Contains("reference sample has 2 columns but the other sample has 3"));
  CHECK_THROWS_WITH(c2st(x, Eigen::MatrixXd::Random(4, 2), RandomStream(1)),
                    Catch::Contains("5-fold cross-validation needs at least 5 rows in each sample"));
  Eigen::MatrixXd bad = Eigen::MatrixXd::Random(50, 2);
  bad(7, 1) = std::nan("");
  CHECK_THROWS_WITH(c2st(x, bad, RandomStream(1)), Catch::Contains("row 7, column 1"));
  C2stOptions one_fold;
  one_fold.folds = 1;
  CHECK_THROWS_AS(c2st(x, x, RandomStream(1), one_fold), orrery::Error);
  // An exception inside a fold reaches the caller, also through a parallel_for.
  C2stOptions broken;
  broken.batch_size = 0;
  broken.parallel_for = threaded_for;
  CHECK_THROWS_WITH(c2st(x, x, RandomStream(1), broken), Catch::Contains("batch_size"));
}
