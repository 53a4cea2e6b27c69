// nde.maf (masked autoregressive flow): normalisation, gradients, sampling, fitting a known
// conditional Gaussian, and save/load.
#include <catch2/catch.hpp>

#include "estimator_checks.hpp"
#include "masked_autoregressive_flow.hpp"

using namespace orrery;
using namespace orrery::nde::test;
using orrery::test::build;

namespace {

using Maf = nde::MaskedAutoregressiveFlow;

ValueTable sizes(std::int64_t transforms) {
  return {{"transforms", Value(transforms)}, {"hidden", Value(std::int64_t{16})}};
}

orrery::test::Built<Maf> small_fitted(const char* precision = "float32") {
  return fit_small<Maf>(sizes(3), precision);
}

}  // namespace

TEST_CASE("maf log_prob integrates to one over a") {
  check_normalised(*small_fitted(), "nde.maf");
}

TEST_CASE("maf log_prob_gradient matches finite differences in a and b") {
  check_gradient(*small_fitted("float64"), "nde.maf", 1e-5, 1e-6);
}

TEST_CASE("maf float32 log_prob_gradient matches finite differences to float accuracy") {
  check_gradient(*small_fitted("float32"), "nde.maf float32", 1e-2, 1e-2);
}

TEST_CASE("maf samples follow log_prob") {
  check_sample_moments(*small_fitted(), 0.3, 20000, 8);
}

TEST_CASE("maf fit approaches the true conditional entropy") {
  check_fit_approaches_truth(build<Maf>({{"max_epochs", Value(std::int64_t{200})}}), "nde.maf");
}

TEST_CASE("maf save then load gives identical log_prob and a mismatched file is refused") {
  auto q = small_fitted();
  auto fresh = build<Maf>(sizes(3));
  auto other = build<Maf>(sizes(2));
  check_round_trip_and_refusal(*q, *fresh, *other, std::filesystem::temp_directory_path() / "orrery-test-nde-maf");
}
