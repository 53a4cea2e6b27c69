// nde.mdn (mixture density network): normalisation, gradients, sampling, fitting a known
// conditional Gaussian, and save/load.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "estimator_checks.hpp"
#include "mixture_density_network.hpp"

using namespace orrery;
using namespace orrery::nde::test;
using orrery::test::build;

namespace {

// A small network trained briefly: enough structure for the exactness checks.
orrery::test::Built<nde::MixtureDensityNetwork> small_fitted(const char* precision = "float32") {
  auto q = build<nde::MixtureDensityNetwork>({{"components", Value(std::int64_t{3})}, {"hidden", Value(std::int64_t{16})}, {"max_epochs", Value(std::int64_t{5})}, {"precision", Value(std::string(precision))}});
  fit_gaussian(*q, *q.context, 1000, 1);
  return q;
}

}  // namespace

TEST_CASE("mdn log_prob integrates to one over a") {
  auto q = small_fitted();
  for (double b : {-0.7, 0.4}) {
    const double mass = integrate_2d(*q, b, -5.0, 5.0, 400);
    std::printf("nde.mdn normalisation at b = %g: %.8f\n", b, mass);
    CHECK(std::abs(mass - 1.0) < 1e-4);
  }
}

TEST_CASE("mdn log_prob_gradient matches finite differences in a and b") {
  auto q = small_fitted("float64");
  RandomStream rng(3);
  Eigen::MatrixXd a, b;
  ConditionalGaussian::draw(20, rng, a, b);
  const double error = gradient_error(*q, a, b);
  std::printf("nde.mdn gradient max relative error: %.3g\n", error);
  CHECK(error < 1e-6);
}

TEST_CASE("mdn float32 log_prob_gradient matches finite differences to float accuracy") {
  auto q = small_fitted("float32");
  RandomStream rng(3);
  Eigen::MatrixXd a, b;
  ConditionalGaussian::draw(20, rng, a, b);
  const double error = gradient_error(*q, a, b, 1e-2);
  std::printf("nde.mdn float32 gradient max relative error: %.3g\n", error);
  CHECK(error < 1e-2);
}

TEST_CASE("mdn samples follow log_prob") {
  auto q = small_fitted();
  check_sample_moments(*q, 0.3, 20000, 8);
}

TEST_CASE("mdn fit approaches the true conditional entropy") {
  auto q = build<nde::MixtureDensityNetwork>({{"max_epochs", Value(std::int64_t{200})}});
  fit_gaussian(*q, *q.context, 4000, 21);
  double truth = 0.0;
  const double excess = excess_nll(*q, 20000, 22, &truth);
  std::printf("nde.mdn held-out NLL %.4f vs true conditional entropy estimate %.4f (excess %.4f nats, %lld epochs)\n",
              truth + excess, truth, excess, static_cast<long long>(q->training_report().epochs));
  CHECK(excess < 0.05);
  CHECK(excess > -0.02);  // cannot beat the truth beyond Monte Carlo noise
}

TEST_CASE("mdn save then load gives identical log_prob and a mismatched file is refused") {
  auto q = small_fitted();
  const auto dir = std::filesystem::temp_directory_path() / "orrery-test-nde-mdn";
  auto fresh = build<nde::MixtureDensityNetwork>({{"components", Value(std::int64_t{3})}, {"hidden", Value(std::int64_t{16})}});
  check_round_trip(*q, *fresh, dir);
  auto other = build<nde::MixtureDensityNetwork>({{"components", Value(std::int64_t{4})}, {"hidden", Value(std::int64_t{16})}});
  try {
    other->load(dir);
    FAIL("loading a file saved for another architecture must throw");
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("architecture") != std::string::npos);
  }
  CHECK_FALSE(other->fitted());
  std::filesystem::remove_all(dir);
}

TEST_CASE("mdn loading a saved maf is refused naming both") {
  auto q = small_fitted();
  const auto dir = std::filesystem::temp_directory_path() / "orrery-test-nde-mdn-kind";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  q->save(dir);
  // Rewrite the estimator line as if a maf had written it.
  std::ifstream in(dir / "estimator.txt");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  text.replace(text.find("estimator mdn"), 13, "estimator maf");
  std::ofstream(dir / "estimator.txt") << text;
  auto fresh = build<nde::MixtureDensityNetwork>({});
  try {
    fresh->load(dir);
    FAIL("loading another estimator's file must throw");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("nde.maf") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}
