// nde.ensemble: validation-likelihood weights, held-out accuracy against its
// members, normalisation, gradients, sampling and save/load.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "ensemble.hpp"
#include "estimator_checks.hpp"
#include "gaussian_mixture.hpp"
#include "mixture_density_network.hpp"

using namespace orrery;
using namespace orrery::nde::test;
using orrery::test::build;
using orrery::test::TestContext;

namespace {

// An ensemble over `members`, with its own context (kept alive with it).
struct Rig {
  std::unique_ptr<TestContext> context;
  std::unique_ptr<nde::Ensemble> ensemble;
};

Rig make_ensemble(const std::vector<DensityEstimator*>& members, Value member_names) {
  Rig rig;
  rig.context = std::make_unique<TestContext>(ValueTable{{"members", std::move(member_names)}},
                                              ParameterSpace{}, 20240601, "ensemble");
  for (DensityEstimator* m : members) rig.context->add_reference("members", *m);
  rig.context->apply_schema(nde::Ensemble::options());
  rig.ensemble = std::make_unique<nde::Ensemble>(*rig.context);
  return rig;
}

orrery::test::Built<nde::GaussianMixture> gmm(std::int64_t components) {
  return build<nde::GaussianMixture>({{"components", Value(components)}});
}

// Two gmm members whose weights are forced to 0.35 / 0.65 through the saved
// file, so the mixture (not one dominant member) is what gets checked.
struct MixedGmmEnsemble {
  orrery::test::Built<nde::GaussianMixture> one = gmm(1), three = gmm(3);
  Rig rig;
  MixedGmmEnsemble() {
    rig = make_ensemble({&*one, &*three}, orrery::test::string_list({"nde.gmm", "nde.gmm"}));
    fit_gaussian(*rig.ensemble, *rig.context, 2000, 51);
    const auto dir = std::filesystem::temp_directory_path() / "orrery-test-nde-ensemble-mixed";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    rig.ensemble->save(dir);
    std::ifstream in(dir / "ensemble.txt");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    text = text.substr(0, text.find("weights")) + "weights 0.35 0.65\n";
    std::ofstream(dir / "ensemble.txt") << text;
    rig.ensemble->load(dir);
    std::filesystem::remove_all(dir);
  }
};

double held_out_nll(const DensityEstimator& q) { return excess_nll(q, 20000, 22, nullptr); }

}  // namespace

TEST_CASE("ensemble weights favour a trained member over an untrained one") {
  auto good = build<nde::MixtureDensityNetwork>(
      {{"components", Value(std::int64_t{3})}, {"hidden", Value(std::int64_t{16})}, {"max_epochs", Value(std::int64_t{60})}});
  auto bad = build<nde::MixtureDensityNetwork>(
      {{"components", Value(std::int64_t{1})}, {"hidden", Value(std::int64_t{2})}, {"max_epochs", Value(std::int64_t{1})}});
  auto linear = gmm(1);
  Rig rig = make_ensemble({&*good, &*bad, &*linear}, orrery::test::string_list({"nde.mdn", "nde.mdn", "nde.gmm"}));
  fit_gaussian(*rig.ensemble, *rig.context, 4000, 21);
  const Eigen::VectorXd& w = rig.ensemble->weights();
  REQUIRE(w.size() == 3);
  const double nll_ensemble = held_out_nll(*rig.ensemble);
  const double nll_good = held_out_nll(*good), nll_bad = held_out_nll(*bad), nll_linear = held_out_nll(*linear);
  std::printf("nde.ensemble weights %.4g %.4g %.4g; validation mean log q %.4f %.4f %.4f\n", w(0), w(1), w(2),
              rig.ensemble->validation_log_likelihood()(0), rig.ensemble->validation_log_likelihood()(1),
              rig.ensemble->validation_log_likelihood()(2));
  std::printf("nde.ensemble held-out excess NLL: ensemble %.4f, mdn %.4f, untrained mdn %.4f, gmm(1) %.4f\n",
              nll_ensemble, nll_good, nll_bad, nll_linear);
  CHECK(std::abs(w.sum() - 1.0) < 1e-12);
  CHECK(nll_bad > nll_good + 0.05);  // the bad member really is bad
  CHECK(w(1) < 1e-6);
  CHECK(w(0) > w(1));
  const double best = std::min({nll_good, nll_bad, nll_linear});
  CHECK(nll_ensemble < best + 0.01);
  // One log line per member, naming its weight.
  int weight_lines = 0;
  for (const auto& [level, message] : rig.context->log().messages())
    if (message.find("nde.ensemble: member") != std::string::npos && message.find("weight") != std::string::npos)
      ++weight_lines;
  CHECK(weight_lines == 3);
}

TEST_CASE("ensemble log_prob integrates to one over a") {
  MixedGmmEnsemble e;
  REQUIRE(e.rig.ensemble->weights()(0) == 0.35);
  for (double b : {-0.7, 0.4}) {
    const double mass = integrate_2d(*e.rig.ensemble, b, -5.0, 5.0, 400);
    std::printf("nde.ensemble normalisation at b = %g: %.8f\n", b, mass);
    CHECK(std::abs(mass - 1.0) < 1e-4);
  }
}

TEST_CASE("ensemble log_prob_gradient matches finite differences in a and b") {
  MixedGmmEnsemble e;
  RandomStream rng(3);
  Eigen::MatrixXd a, b;
  ConditionalGaussian::draw(20, rng, a, b);
  const double error = gradient_error(*e.rig.ensemble, a, b);
  std::printf("nde.ensemble gradient max relative error: %.3g\n", error);
  CHECK(error < 1e-6);
  // The mixture really mixes: its log q differs from either member's.
  Eigen::VectorXd lq(20), l1(20), l3(20);
  e.rig.ensemble->log_prob(a, b, lq);
  e.one->log_prob(a, b, l1);
  e.three->log_prob(a, b, l3);
  const Eigen::VectorXd expected =
      ((0.35 * l1.array().exp() + 0.65 * l3.array().exp()).log()).matrix();
  CHECK((lq - expected).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("ensemble samples follow log_prob") {
  MixedGmmEnsemble e;
  check_sample_moments(*e.rig.ensemble, 0.3, 20000, 8);
}

TEST_CASE("ensemble save then load gives identical log_prob") {
  auto good = build<nde::MixtureDensityNetwork>(
      {{"components", Value(std::int64_t{3})}, {"hidden", Value(std::int64_t{16})}, {"max_epochs", Value(std::int64_t{5})}});
  auto linear = gmm(2);
  Rig rig = make_ensemble({&*good, &*linear}, orrery::test::string_list({"nde.mdn", "nde.gmm"}));
  fit_gaussian(*rig.ensemble, *rig.context, 1000, 1);
  auto good2 = build<nde::MixtureDensityNetwork>({{"components", Value(std::int64_t{3})}, {"hidden", Value(std::int64_t{16})}});
  auto linear2 = gmm(2);
  Rig fresh = make_ensemble({&*good2, &*linear2}, orrery::test::string_list({"nde.mdn", "nde.gmm"}));
  const auto dir = std::filesystem::temp_directory_path() / "orrery-test-nde-ensemble";
  check_round_trip(*rig.ensemble, *fresh.ensemble, dir);
  CHECK(fresh.ensemble->weights() == rig.ensemble->weights());
  CHECK(std::filesystem::exists(dir / "member-0" / "estimator.txt"));
  CHECK(std::filesystem::exists(dir / "member-1" / "gmm.txt"));
  // A different member count is refused.
  auto lone = gmm(2);
  Rig one = make_ensemble({&*lone}, orrery::test::string_list({"nde.gmm"}));
  CHECK_THROWS_WITH(one.ensemble->load(dir), Catch::Contains("members"));
  std::filesystem::remove_all(dir);
}
