// The compressor slot of sbi.nle: with `compressor = "@c"`, the estimator is
// trained on the summaries of the simulations and the likelihood is
// evaluated at the summary of the observation, so a learned compressor can
// be slotted in without touching the sbi components.
#include <catch2/catch.hpp>

#include <memory>

#include <orrery/compressor.hpp>

#include "neural_likelihood.hpp"
#include "sbi_test_support.hpp"

using namespace orrery;
using namespace orrery::sbi;
using namespace orrery::sbi::test;

namespace {

// summary = (x0 + x1, x2): three data values into two summaries.
class SumCompressor final : public Compressor {
 public:
  [[nodiscard]] std::size_t summary_size() const override { return 2; }
  void compress(const Eigen::Ref<const Eigen::VectorXd>& data, Eigen::Ref<Eigen::VectorXd> summary) const override {
    summary[0] = data[0] + data[1];
    summary[1] = data[2];
  }
};

}  // namespace

TEST_CASE("NLE trains on compressed simulations and evaluates the compressed observation", "[sbi][nle]") {
  TempDir cache("compressor");
  const ParameterSpace full = theta_space(2, 0.7);
  IidPriorTarget prior{theta_space(2), 1.0};
  ShiftSimulator sim(3, 0.1);
  SumCompressor compressor;
  LinearGaussianEstimator q;
  TestContext base({{"simulator", Value("@sim")},
                    {"estimator", Value("@q")},
                    {"compressor", Value("@c")},
                    {"simulations", Value(std::int64_t{400})}},
                   full, 20240601, "nle");
  base.add_reference("simulator", sim);
  base.add_reference("prior", prior);
  base.add_reference("estimator", q);
  base.add_reference("compressor", compressor);
  base.apply_schema(NeuralLikelihood::options());
  CachedContext ctx(base, cache.path(), "compressed", observation({3}, {0.3, -0.2, 0.72}));
  NeuralLikelihood nle(ctx);
  nle.prepare(ctx);

  // The observation as the estimator sees it is its summary.
  REQUIRE(nle.observations().rows() == 2);
  CHECK(nle.observations()(0, 0) == Approx(0.1));
  CHECK(nle.observations()(1, 0) == Approx(0.72));
  // The estimator learned summaries: E[s | θ] = (θ0 + θ1, 0.7).
  const Eigen::VectorXd m = q.mean(Eigen::Vector2d(0.2, -0.5));
  REQUIRE(m.size() == 2);
  CHECK(m[0] == Approx(-0.3).margin(0.03));
  CHECK(m[1] == Approx(0.7).margin(0.03));
  // log L(θ) = log q(summary(x_obs) | θ_free).
  const Eigen::Vector3d theta(0.2, -0.5, 0.7);
  Eigen::VectorXd expected(1);
  q.log_prob(nle.observations(), Eigen::Vector2d(0.2, -0.5), expected);
  CHECK(nle.log_likelihood(theta) == Approx(expected[0]).epsilon(1e-13));
}
