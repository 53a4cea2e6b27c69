// nde.mdn (mixture density network): normalisation, gradients, sampling, fitting a known
// conditional Gaussian, and save/load.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include "estimator_checks.hpp"
#include "mixture_density_network.hpp"

using namespace orrery;
using namespace orrery::nde::test;
using orrery::test::build;

namespace {

using Mdn = nde::MixtureDensityNetwork;

ValueTable sizes(std::int64_t components) {
  return {{"components", Value(components)}, {"hidden", Value(std::int64_t{16})}};
}

orrery::test::Built<Mdn> small_fitted(const char* precision = "float32") {
  return fit_small<Mdn>(sizes(3), precision);
}

}  // namespace

TEST_CASE("mdn log_prob integrates to one over a") {
  check_normalised(*small_fitted(), "nde.mdn");
}

TEST_CASE("mdn log_prob_gradient matches finite differences in a and b") {
  check_gradient(*small_fitted("float64"), "nde.mdn", 1e-5, 1e-6);
}

TEST_CASE("mdn float32 log_prob_gradient matches finite differences to float accuracy") {
  check_gradient(*small_fitted("float32"), "nde.mdn float32", 1e-2, 1e-2);
}

TEST_CASE("mdn samples follow log_prob") {
  check_sample_moments(*small_fitted(), 0.3, 20000, 8);
}

TEST_CASE("mdn fit approaches the true conditional entropy") {
  check_fit_approaches_truth(build<Mdn>({{"max_epochs", Value(std::int64_t{200})}}), "nde.mdn");
}

TEST_CASE("mdn save then load gives identical log_prob and a mismatched file is refused") {
  auto q = small_fitted();
  auto fresh = build<Mdn>(sizes(3));
  auto other = build<Mdn>(sizes(4));
  check_round_trip_and_refusal(*q, *fresh, *other, std::filesystem::temp_directory_path() / "orrery-test-nde-mdn");
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
  auto fresh = build<Mdn>({});
  try {
    fresh->load(dir);
    FAIL("loading another estimator's file must throw");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("nde.maf") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}
