// The `map` task and its optimisers: L-BFGS on the Rosenbrock function (2-D
// and 10-D, minimum at 1), the optimum and Laplace covariance of correlated
// Gaussians (with and without a gradient), the modes and curvatures of bounded
// Gamma / Beta densities (which only come out right if the unconstrained
// transform leaves out its Jacobian), an optimum on a bound, Adam, thread-count
// independence and bad input.
#include <catch2/catch.hpp>

#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "adam.hpp"
#include "gaussian_targets.hpp"
#include "lbfgs.hpp"
#include "map_task.hpp"
#include "support/test_context.hpp"

using orrery::ValueTable;
using orrery::samplers::MapTask;
using orrery::test::GaussianTarget;
using orrery::test::TestContext;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

orrery::ParameterSpace bounded_space(const std::vector<std::string>& names, const std::vector<double>& lower,
                                     const std::vector<double>& upper) {
  orrery::ParameterSpace space;
  for (std::size_t i = 0; i < names.size(); ++i) {
    orrery::ParameterBlock b;
    b.name = names[i];
    b.lower = lower[i];
    b.upper = upper[i];
    space.add(b);
  }
  return space;
}

/// log p = -Σ_i [100 (x_{i+1} - x_i²)² + (1 - x_i)²]: the (chained) Rosenbrock
/// function, minimum 0 at x = (1, ..., 1). Initial points uniform on [-2, 2].
class RosenbrockTarget final : public orrery::Target {
 public:
  explicit RosenbrockTarget(int d) {
    for (int i = 0; i < d; ++i) {
      orrery::ParameterBlock b;
      b.name = "x" + std::to_string(i);
      space_.add(b);
    }
  }
  [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override {
    double f = 0.0;
    for (Eigen::Index i = 0; i + 1 < x.size(); ++i)
      f += 100.0 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1.0 - x[i], 2);
    return -f;
  }
  [[nodiscard]] bool has_gradient() const override { return true; }
  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                              Eigen::Ref<Eigen::VectorXd> grad) const override {
    grad.setZero();
    for (Eigen::Index i = 0; i + 1 < x.size(); ++i) {
      const double r = x[i + 1] - x[i] * x[i];
      grad[i] -= -400.0 * x[i] * r - 2.0 * (1.0 - x[i]);
      grad[i + 1] -= 200.0 * r;
    }
    return log_density(x);
  }
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override {
    for (Eigen::Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(-2.0, 2.0);
  }

 private:
  orrery::ParameterSpace space_;
};

/// Independent x ~ Gamma(3, scale 2) on [0, ∞), y ~ Beta(2.5, 4) on [0, 1] and
/// -z ~ Gamma(2, scale 0.5) on (-∞, 0], unnormalised.
/// Modes of p: x = (k-1)θ = 4, y = (a-1)/(a+b-2) = 1/3, z = -0.5; the
/// curvatures of -log p there are 1/8, 20.25 and 4 (sd 2√2, 2/9, 1/2).
/// (With the log/logit Jacobian included the modes would move to x = 6,
/// y = 2.5/6.5 and z = -1.)
class BoundedTarget final : public orrery::Target {
 public:
  explicit BoundedTarget(bool gradient) : space_(bounded_space({"x", "y", "z"}, {0, 0, -kInf}, {kInf, 1, 0})),
                                          gradient_(gradient) {}
  [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& v) const override {
    const double x = v[0], y = v[1], w = -v[2];
    if (!(x > 0.0 && y > 0.0 && y < 1.0 && w > 0.0)) return -kInf;
    return 2.0 * std::log(x) - x / 2.0 + 1.5 * std::log(y) + 3.0 * std::log1p(-y) + std::log(w) - 2.0 * w;
  }
  [[nodiscard]] bool has_gradient() const override { return gradient_; }
  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& v,
                              Eigen::Ref<Eigen::VectorXd> grad) const override {
    const double x = v[0], y = v[1], w = -v[2];
    grad[0] = 2.0 / x - 0.5;
    grad[1] = 1.5 / y - 3.0 / (1.0 - y);
    grad[2] = -(1.0 / w - 2.0);
    return log_density(v);
  }
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> v) const override {
    v[0] = rng.uniform(0.5, 10.0);
    v[1] = rng.uniform(0.05, 0.95);
    v[2] = rng.uniform(-3.0, -0.1);
  }

 private:
  orrery::ParameterSpace space_;
  bool gradient_;
};

/// x ~ Gamma(shape, 1) on [0, ∞) (shape 1: the exponential, mode on the
/// bound; shape < 1: density infinite there), y ~ N(0, 1) and z ~ Beta(2, 1)
/// on [0, 1] (mode on the upper bound).
class BoundModeTarget final : public orrery::Target {
 public:
  explicit BoundModeTarget(double shape)
      : space_(bounded_space({"x", "y", "z"}, {0, -kInf, 0}, {kInf, kInf, 1})), shape_(shape) {}
  [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& v) const override {
    if (!(v[0] > 0.0 && v[2] > 0.0 && v[2] <= 1.0)) return -kInf;
    return (shape_ - 1.0) * std::log(v[0]) - v[0] - 0.5 * v[1] * v[1] + std::log(v[2]);
  }
  [[nodiscard]] bool has_gradient() const override { return true; }
  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& v,
                              Eigen::Ref<Eigen::VectorXd> grad) const override {
    grad << (shape_ - 1.0) / v[0] - 1.0, -v[1], 1.0 / v[2];
    return log_density(v);
  }
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> v) const override {
    v << rng.uniform(0.1, 5.0), rng.uniform(-2.0, 2.0), rng.uniform(0.1, 0.9);
  }

 private:
  orrery::ParameterSpace space_;
  double shape_;
};

/// -infinity everywhere.
class NowhereTarget final : public orrery::Target {
 public:
  NowhereTarget() : space_(orrery::test::scalar_space({"a", "b"})) {}
  [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& /*x*/) const override { return -kInf; }
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override {
    for (Eigen::Index i = 0; i < x.size(); ++i) x[i] = rng.normal();
  }

 private:
  orrery::ParameterSpace space_;
};

/// A MapTask run with its context; removes the output folder when done.
struct MapRun {
  std::unique_ptr<TestContext> context;
  orrery::Report report;
  std::filesystem::path dir;
  MapRun() = default;
  MapRun(MapRun&&) = default;
  ~MapRun() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }

  [[nodiscard]] std::string entry(const std::string& label) const {
    for (const auto& [k, v] : report.entries)
      if (k == label) return v;
    return "<no entry '" + label + "'>";
  }
  [[nodiscard]] std::string read(const std::string& file) const {
    std::ifstream in(dir / file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  /// The first numeric array under "key" in map.json.
  [[nodiscard]] Eigen::VectorXd json_array(const std::string& key) const {
    const std::string text = read("map.json");
    const auto at = text.find("\"" + key + "\": [");
    REQUIRE(at != std::string::npos);
    std::istringstream in(text.substr(text.find('[', at) + 1));
    std::vector<double> values;
    for (double v; in >> v;) {
      values.push_back(v);
      char separator = 0;
      in >> separator;
      if (separator != ',') break;
    }
    return Eigen::Map<Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
  }
  /// map_covariance.txt: its header names and matrix.
  [[nodiscard]] Eigen::MatrixXd covariance(std::string* header = nullptr) const {
    std::istringstream in(read("map_covariance.txt"));
    std::string first;
    std::getline(in, first);
    if (header) *header = first;
    std::vector<std::vector<double>> rows;
    for (std::string line; std::getline(in, line);) {
      std::istringstream ls(line);
      rows.emplace_back();
      for (double v; ls >> v;) rows.back().push_back(v);
    }
    Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.size()));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      REQUIRE(rows[r].size() == rows.size());
      for (std::size_t c = 0; c < rows.size(); ++c)
        m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = rows[r][c];
    }
    return m;
  }
};

MapRun run_map(orrery::Target& target, ValueTable options, const std::string& name, std::size_t threads = 1,
               std::uint64_t seed = 11) {
  MapRun run;
  run.context = std::make_unique<TestContext>(std::move(options), orrery::ParameterSpace{}, seed, name);
  run.context->add_reference("target", target);
  run.context->apply_schema(MapTask::options());
  run.context->set_threads(threads);
  MapTask task(*run.context);
  run.dir = run.context->output_dir();
  run.report = task.run(*run.context);
  return run;
}

/// -log p of a target with gradient, as an optimiser objective.
orrery::samplers::Objective objective(const orrery::Target& target) {
  return [&target](const Eigen::VectorXd& x, Eigen::VectorXd& grad) {
    const double lp = target.log_density_gradient(x, grad);
    grad = -grad;
    return -lp;
  };
}

/// Largest |A_ij - B_ij| / sqrt(B_ii B_jj).
double relative_covariance_error(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  double worst = 0.0;
  for (Eigen::Index i = 0; i < b.rows(); ++i)
    for (Eigen::Index j = 0; j < b.cols(); ++j)
      worst = std::max(worst, std::abs(a(i, j) - b(i, j)) / std::sqrt(b(i, i) * b(j, j)));
  return worst;
}

/// A 5-D Gaussian with a dense covariance (sds 0.01 to 100, correlations up to ±0.9).
GaussianTarget dense_gaussian() {
  Eigen::MatrixXd a(5, 5);
  a << 1.0, 0.3, -0.2, 0.5, 0.1,   //
      0.0, 1.0, 0.4, -0.3, 0.2,    //
      0.0, 0.0, 1.0, 0.6, -0.4,    //
      0.0, 0.0, 0.0, 1.0, 0.7,     //
      0.0, 0.0, 0.0, 0.0, 1.0;
  Eigen::MatrixXd correlation = a.transpose() * a;
  const Eigen::VectorXd d = correlation.diagonal().cwiseSqrt().cwiseInverse();
  correlation = d.asDiagonal() * correlation * d.asDiagonal();
  Eigen::VectorXd sd(5), mean(5);
  sd << 0.01, 0.3, 1.0, 10.0, 100.0;
  mean << 0.5, -1.0, 2.0, 30.0, -150.0;
  return GaussianTarget(mean, sd.asDiagonal() * correlation * sd.asDiagonal());
}

}  // namespace

TEST_CASE("L-BFGS reaches the Rosenbrock minimum", "[samplers][map][lbfgs]") {
  orrery::samplers::LbfgsOptions options;
  options.gradient_tolerance = 1e-10;
  SECTION("2-D from the classic start (-1.2, 1)") {
    RosenbrockTarget target(2);
    const auto r = orrery::samplers::minimise_lbfgs(objective(target), Eigen::Vector2d(-1.2, 1.0), options);
    INFO("iterations " << r.iterations << ", evaluations " << r.evaluations << ", " << stop_label(r.reason));
    CHECK(orrery::samplers::converged(r.reason));
    CHECK((r.x - Eigen::Vector2d::Ones()).lpNorm<Eigen::Infinity>() < 1e-6);
    CHECK(r.iterations < 100);
    WARN("Rosenbrock 2-D: " << r.iterations << " iterations, " << r.evaluations << " evaluations, |x - 1|_inf = "
                            << (r.x - Eigen::Vector2d::Ones()).lpNorm<Eigen::Infinity>());
  }
  SECTION("10-D from x = (-1.2, 1, -1.2, 1, ...)") {
    RosenbrockTarget target(10);
    Eigen::VectorXd x0(10);
    for (int i = 0; i < 10; ++i) x0[i] = i % 2 ? 1.0 : -1.2;
    const auto r = orrery::samplers::minimise_lbfgs(objective(target), x0, options);
    INFO("iterations " << r.iterations << ", evaluations " << r.evaluations << ", " << stop_label(r.reason));
    CHECK(orrery::samplers::converged(r.reason));
    CHECK((r.x - Eigen::VectorXd::Ones(10)).lpNorm<Eigen::Infinity>() < 1e-6);
    WARN("Rosenbrock 10-D: " << r.iterations << " iterations, " << r.evaluations << " evaluations, |x - 1|_inf = "
                             << (r.x - Eigen::VectorXd::Ones(10)).lpNorm<Eigen::Infinity>());
  }
  SECTION("history 1 and 30 also converge") {
    RosenbrockTarget target(2);
    for (const int m : {1, 30}) {
      options.history = m;
      const auto r = orrery::samplers::minimise_lbfgs(objective(target), Eigen::Vector2d(-1.2, 1.0), options);
      INFO("m = " << m);
      CHECK((r.x - Eigen::Vector2d::Ones()).lpNorm<Eigen::Infinity>() < 1e-6);
    }
  }
}

TEST_CASE("L-BFGS backs off from non-finite values", "[samplers][map][lbfgs]") {
  // f = (x - 1)² on x < 1.5, +inf beyond: the first steps overshoot into the wall.
  const orrery::samplers::Objective f = [](const Eigen::VectorXd& x, Eigen::VectorXd& grad) {
    if (x[0] >= 1.5) {
      grad.setConstant(std::numeric_limits<double>::quiet_NaN());
      return kInf;
    }
    grad[0] = 2.0 * (x[0] - 1.0);
    return (x[0] - 1.0) * (x[0] - 1.0);
  };
  Eigen::VectorXd x0(1);
  x0 << -100.0;
  orrery::samplers::LbfgsOptions options;
  const auto r = orrery::samplers::minimise_lbfgs(f, x0, options);
  CHECK(orrery::samplers::converged(r.reason));
  CHECK(r.x[0] == Approx(1.0).margin(1e-6));
}

TEST_CASE("map: the optimum and Laplace covariance of a Gaussian are its mean and covariance", "[samplers][map]") {
  SECTION("correlated 2-D, analytic gradient") {
    GaussianTarget target = orrery::test::correlated_target();
    const MapRun run = run_map(target, {}, "map-gauss2");
    CHECK(run.entry("status") == "converged");
    CHECK(run.entry("gradient") == "analytic");
    CHECK(run.entry("starts agreeing").rfind("4 of 4", 0) == 0);
    const Eigen::VectorXd x = run.json_array("optimum");
    CHECK((x - target.mean()).lpNorm<Eigen::Infinity>() < 1e-6);
    std::string header;
    const Eigen::MatrixXd cov = run.covariance(&header);
    CHECK(header == "# x0 x1");
    CHECK(relative_covariance_error(cov, target.cov()) < 1e-5);
    CHECK(run.report.files == std::vector<std::string>{"map.json", "map_covariance.txt"});
    CHECK_THAT(run.entry("best fit x0"), Catch::StartsWith("1 +/- 1"));
    CHECK(std::stod(run.entry("log density")) == Approx(0.0).margin(1e-10));
  }
  SECTION("dense 5-D with scales 0.01 to 100") {
    GaussianTarget target = dense_gaussian();
    const MapRun run = run_map(target, {{"starts", 3}}, "map-gauss5");
    CHECK(run.entry("status") == "converged");
    const Eigen::VectorXd x = run.json_array("optimum");
    const Eigen::VectorXd sd = target.cov().diagonal().cwiseSqrt();
    const double offset = ((x - target.mean()).cwiseQuotient(sd)).lpNorm<Eigen::Infinity>();
    const double error = relative_covariance_error(run.covariance(), target.cov());
    CHECK(offset < 1e-6);
    CHECK(error < 1e-5);
    WARN("dense 5-D Gaussian: optimum within " << offset << " sd, covariance relative error " << error << ", "
                                               << run.entry("iterations") << " iterations");
  }
  SECTION("without a gradient: finite differences everywhere") {
    GaussianTarget target = dense_gaussian();
    GaussianTarget no_gradient(target.mean(), target.cov(), false);
    const MapRun run = run_map(no_gradient, {{"starts", 2}}, "map-gauss-fd");
    CHECK(run.entry("status") == "converged");
    CHECK_THAT(run.entry("gradient"), Catch::Contains("finite differences"));
    const Eigen::VectorXd x = run.json_array("optimum");
    const Eigen::VectorXd sd = target.cov().diagonal().cwiseSqrt();
    const double offset = ((x - target.mean()).cwiseQuotient(sd)).lpNorm<Eigen::Infinity>();
    const double error = relative_covariance_error(run.covariance(), target.cov());
    CHECK(offset < 1e-5);
    CHECK(error < 1e-4);
    WARN("dense 5-D Gaussian, no gradient: optimum within " << offset << " sd, covariance relative error " << error
                                                            << ", " << run.entry("evaluations") << " evaluations");
  }
}

TEST_CASE("map: bounded parameters give the mode of p(x) and its curvature", "[samplers][map][bounds]") {
  const Eigen::Vector3d mode(4.0, 1.0 / 3.0, -0.5);
  const Eigen::Vector3d sd(std::sqrt(8.0), 1.0 / 4.5, 0.5);
  for (const bool gradient : {true, false}) {
    INFO("gradient " << gradient);
    BoundedTarget target(gradient);
    const MapRun run = run_map(target, {}, gradient ? "map-bounded" : "map-bounded-fd");
    CHECK(run.entry("status") == "converged");
    const Eigen::VectorXd x = run.json_array("optimum");
    const double offset = (x - mode).cwiseQuotient(sd).lpNorm<Eigen::Infinity>();
    CHECK(offset < (gradient ? 1e-6 : 1e-5));
    const Eigen::MatrixXd cov = run.covariance();
    const Eigen::VectorXd laplace_sd = cov.diagonal().cwiseSqrt();
    const double sd_error = (laplace_sd - sd).cwiseQuotient(sd).lpNorm<Eigen::Infinity>();
    CHECK(sd_error < (gradient ? 1e-5 : 1e-3));
    CHECK(std::abs(cov(0, 1)) < 1e-6 * sd[0] * sd[1]);
    WARN("bounded Gamma/Beta/-Gamma (" << (gradient ? "gradient" : "no gradient") << "): optimum within " << offset
                                       << " sd of the mode, Laplace sd relative error " << sd_error);
  }
}

TEST_CASE("map: an optimum on a bound is reported, with no covariance", "[samplers][map][bounds]") {
  for (const double shape : {1.0, 0.5}) {
    INFO("shape " << shape);
    BoundModeTarget target(shape);
    const MapRun run = run_map(target, {}, "map-at-bound");
    CHECK(run.entry("status") == "at bound");
    CHECK_THAT(run.entry("laplace"), Catch::Contains("at a bound"));
    CHECK_THAT(run.entry("at bound"), Catch::StartsWith("x at its lower bound 0 (distance ") &&
                                          Catch::Contains("; z at its upper bound 1 (distance "));
    CHECK(run.report.files == std::vector<std::string>{"map.json"});
    const Eigen::VectorXd x = run.json_array("optimum");
    CHECK(x[0] >= 0.0);
    CHECK(x[0] < 1e-5);
    // With shape < 1 the density is unbounded at x = 0 and has no maximum: the
    // optimiser runs x into the bound and stops on the function tolerance
    // before y has converged; only the diagnosis is checked.
    if (shape == 1.0) CHECK(std::abs(x[1]) < 1e-6);
    CHECK(x[2] > 1.0 - 1e-5);
    CHECK(x[2] <= 1.0);
    CHECK(run.read("map.json").find("\"covariance\"") == std::string::npos);
    WARN("mode on the bounds (Gamma shape " << shape << "): x = " << x[0] << ", 1 - z = " << 1.0 - x[2] << ", "
                                            << run.entry("optimiser") << ", " << run.entry("iterations")
                                            << " iterations");
  }
}

TEST_CASE("map: a Hessian that is not positive definite is reported, not inverted", "[samplers][map]") {
  // A flat direction: log p = -x²/2, independent of y.
  class Flat final : public orrery::Target {
   public:
    Flat() : space_(orrery::test::scalar_space({"x", "y"})) {}
    [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
    [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& v) const override {
      return -0.5 * v[0] * v[0];
    }
    [[nodiscard]] bool has_gradient() const override { return true; }
    double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& v,
                                Eigen::Ref<Eigen::VectorXd> grad) const override {
      grad << -v[0], 0.0;
      return log_density(v);
    }
    void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> v) const override {
      v << rng.normal(), rng.normal();
    }

   private:
    orrery::ParameterSpace space_;
  } target;
  const MapRun run = run_map(target, {{"starts", 1}}, "map-flat");
  CHECK(run.entry("status") == "not positive definite");
  CHECK_THAT(run.entry("laplace"), Catch::StartsWith("not positive definite"));
  CHECK(run.report.files == std::vector<std::string>{"map.json"});
  CHECK_THAT(run.read("map.json"), Catch::Contains("\"covariance\": null"));
}

TEST_CASE("map with Adam reaches a Gaussian's mode", "[samplers][map][adam]") {
  GaussianTarget target = orrery::test::correlated_target();
  const MapRun run = run_map(target, {{"method", "adam"}, {"starts", 2}, {"learning_rate", 0.05}}, "map-adam");
  const Eigen::VectorXd x = run.json_array("optimum");
  const double offset = (x - target.mean()).lpNorm<Eigen::Infinity>();
  CHECK(offset < 1e-4);
  CHECK_THAT(run.entry("method"), Catch::StartsWith("Adam"));
  CHECK(relative_covariance_error(run.covariance(), target.cov()) < 1e-4);
  WARN("Adam on the correlated Gaussian: " << run.entry("optimiser") << ", " << run.entry("iterations")
                                           << " iterations, optimum within " << offset);

  // The optimiser itself, on the bounded problem's scale: a 1-D quadratic.
  const orrery::samplers::Objective f = [](const Eigen::VectorXd& v, Eigen::VectorXd& grad) {
    grad = 2.0 * (v.array() - 3.0).matrix();
    return (v.array() - 3.0).square().sum();
  };
  orrery::samplers::AdamOptions options;
  options.learning_rate = 0.1;
  const auto r = orrery::samplers::minimise_adam(f, Eigen::VectorXd::Zero(3), options);
  CHECK((r.x.array() - 3.0).abs().maxCoeff() < 1e-6);
}

TEST_CASE("map results do not depend on the thread count", "[samplers][map][reproducibility]") {
  RosenbrockTarget target(10);
  const ValueTable options{{"starts", 6}, {"gradient_tolerance", 1e-9}};
  std::string json[2];
  std::vector<std::pair<std::string, std::string>> entries[2];
  for (const int k : {0, 1}) {
    const MapRun run = run_map(target, options, "map-threads", k == 0 ? 1 : 4);
    json[k] = run.read("map.json");
    entries[k] = run.report.entries;
  }
  CHECK(json[0].size() > 100);
  CHECK(json[0] == json[1]);
  CHECK(entries[0] == entries[1]);

  // Different seeds give different starts but the same optimum.
  const MapRun other = run_map(target, options, "map-threads", 1, 99);
  CHECK(other.read("map.json") != json[0]);
  const Eigen::VectorXd x = other.json_array("optimum");
  CHECK((x - Eigen::VectorXd::Ones(10)).lpNorm<Eigen::Infinity>() < 1e-6);
  WARN("Rosenbrock 10-D, 6 starts: " << other.entry("starts agreeing") << " (the chained function has a local minimum "
                                     << "near x0 = -1); best start " << other.entry("iterations") << " iterations");
}

TEST_CASE("map option checks name the key", "[samplers][map][options]") {
  GaussianTarget target = orrery::test::correlated_target();
  auto error_for = [&](ValueTable options) {
    return orrery::test::config_error_message([&] {
      TestContext ctx(std::move(options));
      ctx.add_reference("target", target);
      ctx.apply_schema(MapTask::options());
      MapTask task(ctx);
    });
  };
  CHECK(error_for({}).empty());
  CHECK_THAT(error_for({{"gradient_tolerance", 0.0}}), Catch::Contains("gradient_tolerance"));
  CHECK_THAT(error_for({{"gradient_tolerance", -1e-6}}), Catch::Contains("gradient_tolerance"));
  CHECK_THAT(error_for({{"function_tolerance", 0.0}}), Catch::Contains("function_tolerance"));
  CHECK_THAT(error_for({{"learning_rate", -0.1}}), Catch::Contains("learning_rate"));
  CHECK_THAT(error_for({{"beta1", 1.0}}), Catch::Contains("beta1"));
  CHECK_THAT(error_for({{"beta2", -0.5}}), Catch::Contains("beta2"));
  CHECK_THAT(error_for({{"starts", 0}}), Catch::Contains("starts"));
  CHECK_THAT(error_for({{"max_iterations", 0}}), Catch::Contains("max_iterations"));
  CHECK_THAT(error_for({{"history", 0}}), Catch::Contains("history"));
  CHECK_THAT(error_for({{"agreement_tolerance", 0.0}}), Catch::Contains("agreement_tolerance"));
  CHECK_THAT(error_for({{"method", "newton"}}), Catch::Contains("method"));
  CHECK_THAT(error_for({{"max_iteration", 10}}), Catch::Contains("max_iterations"));  // did you mean

  // The constructor repeats the checks when the schema is bypassed.
  const std::string direct = orrery::test::config_error_message([&] {
    TestContext ctx({{"method", "lbfgs"}, {"starts", 1}, {"gradient_tolerance", -1.0}});
    ctx.add_reference("target", target);
    MapTask task(ctx);
  });
  CHECK_THAT(direct, Catch::Contains("option 'gradient_tolerance'") && Catch::Contains("found -1"));

  // A dense Hessian of a huge problem is refused up front, unless switched off.
  RosenbrockTarget big(static_cast<int>(MapTask::kMaxLaplaceDimension) + 1);
  auto big_error = [&](ValueTable options) {
    return orrery::test::config_error_message([&] {
      TestContext ctx(std::move(options));
      ctx.add_reference("target", big);
      ctx.apply_schema(MapTask::options());
      MapTask task(ctx);
    });
  };
  CHECK_THAT(big_error({}), Catch::Contains("option 'laplace'") && Catch::Contains("laplace = false"));
  CHECK(big_error({{"laplace", false}}).empty());
}

TEST_CASE("map on a target that is -infinity everywhere fails clearly", "[samplers][map]") {
  NowhereTarget target;
  CHECK_THROWS_WITH(run_map(target, {{"starts", 2}}, "map-nowhere"),
                    Catch::Contains("not finite at any of 100 initial points") && Catch::Contains("start 0"));
}
