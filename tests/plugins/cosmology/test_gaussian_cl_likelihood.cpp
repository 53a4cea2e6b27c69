// cosmology.gaussian_cl_likelihood: value against the dense Gaussian formula,
// the analytic gradient against finite differences, data from files or
// simulated (with and without noise), and rejections for unphysical θ.
#include <catch2/catch.hpp>

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <cmath>
#include <limits>
#include <thread>

#include "cosmology_fixtures.hpp"
#include "data_files.hpp"
#include "gaussian_cl_likelihood.hpp"
#include "support/numerics.hpp"

using orrery::ValueTable;
using orrery::cosmology::GaussianClLikelihood;
using orrery::cosmology::LimberClModel;
using orrery::test::TestContext;
namespace ct = orrery::cosmology::test;

namespace {

struct Setup {
  orrery::test::Built<LimberClModel> model;
  std::unique_ptr<TestContext> context;
  std::unique_ptr<GaussianClLikelihood> like;
};

Setup make(ValueTable like_options = {}, std::uint64_t seed = 7) {
  Setup s;
  s.model = ct::build_model(ct::small_model_options(), ct::space({{"omega_c", 0.25}, {"sigma8", 0.8}, {"h", 0.7, ct::Declared::fixed}}));
  like_options.emplace_back("model", "@cells");
  s.context = std::make_unique<TestContext>(std::move(like_options), s.model.context->parameters(), seed, "like");
  s.context->apply_schema(GaussianClLikelihood::options());
  s.context->add_reference("model", *s.model);
  s.like = std::make_unique<GaussianClLikelihood>(*s.context);
  s.like->prepare(*s.context);
  return s;
}

Eigen::VectorXd point(double omega_c, double sigma8) {
  Eigen::VectorXd theta(3);
  theta << omega_c, sigma8, 0.7;
  return theta;
}

}  // namespace

TEST_CASE("simulated data: the likelihood peaks at the fiducial and is the Gaussian formula", "[cosmology][likelihood]") {
  const Setup s = make();
  const Eigen::VectorXd fid = point(0.25, 0.8);
  CHECK(s.like->fiducial() == fid);
  CHECK(s.like->log_likelihood(fid) == 0.0);
  // The Dual evaluation behind the gradient rounds differently from the double
  // one, so the residual at the fiducial is rounding noise, not exactly zero.
  Eigen::VectorXd grad(3), away(3);
  CHECK(s.like->log_likelihood_gradient(fid, grad) == Approx(0.0).margin(1e-12));
  (void)s.like->log_likelihood_gradient(point(0.26, 0.79), away);
  CHECK(grad.norm() < 1e-8 * away.norm());

  // -1/2 rᵀ C⁻¹ r with the dense covariance at the fiducial.
  const Eigen::VectorXd theta = point(0.27, 0.78);
  const auto n = static_cast<Eigen::Index>(s.model->output_size());
  Eigen::VectorXd mu(n), mu_fid(n);
  s.model->evaluate(theta, mu);
  s.model->evaluate(fid, mu_fid);
  Eigen::MatrixXd cov(n, n);
  s.model->covariance(fid, cov);
  const Eigen::VectorXd r = mu_fid - mu;
  const double expected = -0.5 * r.dot(cov.llt().solve(r));
  CHECK(s.like->log_likelihood(theta) == Approx(expected).epsilon(1e-10));
  CHECK(expected < -1.0);
}

TEST_CASE("the analytic gradient matches finite differences", "[cosmology][likelihood][gradient]") {
  const Setup s = make();
  REQUIRE(s.like->has_gradient());
  const Eigen::VectorXd theta = point(0.26, 0.79);
  Eigen::VectorXd grad(3);
  const double value = s.like->log_likelihood_gradient(theta, grad);
  CHECK(value == Approx(s.like->log_likelihood(theta)).epsilon(1e-12));
  const Eigen::VectorXd numeric = orrery::test::finite_difference_gradient(
      [&](const Eigen::VectorXd& t) { return s.like->log_likelihood(t); }, theta, 1e-6);
  CHECK(grad[0] == Approx(numeric[0]).epsilon(1e-5));
  CHECK(grad[1] == Approx(numeric[1]).epsilon(1e-5));
  CHECK(grad[2] == Approx(numeric[2]).epsilon(1e-5));  // h is fixed, but θ still has its slot
}

TEST_CASE("unphysical parameters are rejections (-infinity), not errors", "[cosmology][likelihood][errors]") {
  const Setup s = make();
  const double inf = std::numeric_limits<double>::infinity();
  Eigen::VectorXd grad = Eigen::VectorXd::Constant(3, 5.0);
  for (const Eigen::VectorXd& theta : {point(0.25, -0.8), point(-0.2, 0.8), point(0.25, 0.0)}) {
    CHECK(s.like->log_likelihood(theta) == -inf);
    CHECK(s.like->log_likelihood_gradient(theta, grad) == -inf);
    CHECK(grad.isZero(0.0));
  }
  Eigen::VectorXd closed(3);
  closed << 0.25, 0.8, -0.7;  // h < 0
  CHECK(s.like->log_likelihood(closed) == -inf);
  // A wrong-sized θ is a programming error, not a rejection.
  CHECK_THROWS_AS(s.like->log_likelihood(Eigen::VectorXd::Zero(2)), orrery::Error);
}

TEST_CASE("data from text and .npy files, and wrong sizes refused", "[cosmology][likelihood][data]") {
  const ct::ScratchDir dir("likelihood-data");
  const Setup reference = make();
  const Eigen::VectorXd data = reference.like->data();
  std::string text;
  for (Eigen::Index i = 0; i < data.size(); ++i) text += orrery::cosmology::table_number(data[i]) + "\n";
  ct::write_text(dir / "cl.txt", text);
  const Setup from_file = make({{"data", (dir / "cl.txt").string()}});
  CHECK(from_file.like->data() == data);
  CHECK(from_file.like->log_likelihood(point(0.25, 0.8)) == Approx(0.0).margin(1e-20));

  ct::write_text(dir / "short.txt", "1e-9 2e-9\n");
  CHECK_THAT(orrery::test::config_error_message([&] { (void)make({{"data", (dir / "short.txt").string()}}); }),
             Catch::Contains("option 'data'") && Catch::Contains("holds 2 values, but the model predicts 18"));
  ct::write_text(dir / "bad.txt", "1e-9 x\n");
  CHECK_THAT(orrery::test::config_error_message([&] { (void)make({{"data", (dir / "bad.txt").string()}}); }),
             Catch::Contains("'x' is not a number"));
  CHECK_THAT(orrery::test::config_error_message([&] {
               (void)make({{"data", (dir / "cl.txt").string()}, {"add_noise", true}});
             }),
             Catch::Contains("simulated data only"));
}

TEST_CASE("add_noise draws one realisation from the covariance, reproducibly", "[cosmology][likelihood][data]") {
  const Setup a = make({{"add_noise", true}}, 3);
  const Setup b = make({{"add_noise", true}}, 3);
  const Setup c = make({{"add_noise", true}}, 4);
  CHECK(a.like->data() == b.like->data());
  CHECK(a.like->data() != c.like->data());
  // χ² of the noise at the fiducial is a χ²_n draw: within 5 sd of n.
  const double n = static_cast<double>(a.like->data().size());
  for (const Setup* s : {&a, &c}) {
    const double chi2 = -2.0 * s->like->log_likelihood(point(0.25, 0.8));
    CHECK(std::abs(chi2 - n) < 5.0 * std::sqrt(2.0 * n));
    CHECK(chi2 > 0.0);
  }
}

TEST_CASE("any model with a covariance: dense path against the closed form", "[cosmology][likelihood]") {
  Eigen::MatrixXd a(3, 2), c(3, 3);
  a << 1.0, 0.5, -0.3, 2.0, 0.7, 0.1;
  c << 2.0, 0.3, 0.0, 0.3, 1.0, 0.2, 0.0, 0.2, 0.5;
  ct::LinearModel model(a, c);
  const ct::ScratchDir dir("likelihood-linear");
  ct::write_text(dir / "y.txt", "1.0, 2.0, -0.5\n");
  TestContext ctx({{"model", "@cells"}, {"data", (dir / "y.txt").string()}}, ct::space({{"x", 0.1}, {"y", 0.2}}), 1, "like");
  ctx.apply_schema(GaussianClLikelihood::options());
  ctx.add_reference("model", model);
  GaussianClLikelihood like(ctx);
  like.prepare(ctx);
  Eigen::VectorXd theta(2), data(3);
  theta << 0.3, -0.4;
  data << 1.0, 2.0, -0.5;
  const Eigen::VectorXd r = data - a * theta;
  CHECK(like.log_likelihood(theta) == Approx(-0.5 * r.dot(c.inverse() * r)).epsilon(1e-12));
  Eigen::VectorXd grad(2);
  like.log_likelihood_gradient(theta, grad);
  const Eigen::VectorXd expected = a.transpose() * c.inverse() * r;
  CHECK(grad[0] == Approx(expected[0]).epsilon(1e-12));
  CHECK(grad[1] == Approx(expected[1]).epsilon(1e-12));
}

TEST_CASE("concurrent evaluations give the serial answers", "[cosmology][likelihood][threads]") {
  const Setup s = make();
  std::vector<Eigen::VectorXd> points;
  for (int i = 0; i < 8; ++i) points.push_back(point(0.22 + 0.01 * i, 0.75 + 0.02 * i));
  std::vector<double> serial, parallel(points.size());
  for (const auto& p : points) serial.push_back(s.like->log_likelihood(p));
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < points.size(); i += 2) parallel[i] = s.like->log_likelihood(points[i]);
    });
  for (auto& t : threads) t.join();
  CHECK(parallel == serial);
}
