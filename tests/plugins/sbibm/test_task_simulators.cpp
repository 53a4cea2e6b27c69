// What every sbibm simulator promises: its shapes, θ taken from the whole
// parameter vector (and a ConfigError naming the task's parameters when the
// analysis has another size), determinism given (θ, stream seed), identical
// results from parallel threads with split streams, and SimulationFailure
// (never NaN) for a non-finite θ or an ODE that blows up.
#include <catch2/catch.hpp>

#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bernoulli_glm.hpp"
#include "gaussian_linear.hpp"
#include "gaussian_linear_uniform.hpp"
#include "gaussian_mixture.hpp"
#include "lotka_volterra.hpp"
#include "sbibm_test_support.hpp"
#include "sir.hpp"
#include "slcp.hpp"
#include "two_moons.hpp"

using orrery::sbibm::TaskSimulator;
using orrery::sbibm::test::theta_space;

namespace {

/// A built task with its context, and a typical θ (a prior draw's worth).
struct Task {
  std::unique_ptr<orrery::test::TestContext> context;
  std::unique_ptr<TaskSimulator> simulator;
  Eigen::VectorXd theta;
};

template <typename T>
Task make(Eigen::VectorXd theta) {
  auto built = orrery::test::build<T>({}, theta_space(static_cast<std::size_t>(theta.size())));
  return {std::move(built.context), std::move(built.component), std::move(theta)};
}

Eigen::VectorXd vec(std::initializer_list<double> v) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double x : v) out[i++] = x;
  return out;
}

std::vector<Task> all_tasks() {
  std::vector<Task> tasks;
  tasks.push_back(make<orrery::sbibm::TwoMoons>(vec({0.2, -0.4})));
  tasks.push_back(make<orrery::sbibm::GaussianLinear>(Eigen::VectorXd::Constant(10, 0.1)));
  tasks.push_back(make<orrery::sbibm::GaussianLinearUniform>(Eigen::VectorXd::Constant(10, -0.3)));
  tasks.push_back(make<orrery::sbibm::Slcp>(vec({0.7, -2.9, -1.0, -0.9, 0.6})));
  tasks.push_back(make<orrery::sbibm::GaussianMixture>(vec({1.0, -7.0})));
  tasks.push_back(make<orrery::sbibm::BernoulliGlm>(vec({1.2, 2.1, 3.6, 3.4, 0.3, -1.6, -2.4, -2.1, -1.2, 0.3})));
  tasks.push_back(make<orrery::sbibm::Sir>(vec({0.6148, 0.1917})));
  tasks.push_back(make<orrery::sbibm::LotkaVolterra>(vec({0.686, 0.108, 0.888, 0.117})));
  return tasks;
}

}  // namespace

TEST_CASE("sbibm tasks have sbibm's dimensions") {
  const std::vector<std::pair<std::string, std::pair<std::size_t, std::size_t>>> expected = {
      {"two_moons", {2, 2}},    {"gaussian_linear", {10, 10}}, {"gaussian_linear_uniform", {10, 10}},
      {"slcp", {5, 8}},         {"gaussian_mixture", {2, 2}},  {"bernoulli_glm", {10, 10}},
      {"sir", {2, 10}},         {"lotka_volterra", {4, 20}}};
  const std::vector<Task> tasks = all_tasks();
  REQUIRE(tasks.size() == expected.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const TaskSimulator& sim = *tasks[i].simulator;
    INFO(sim.task());
    CHECK(sim.task() == expected[i].first);
    CHECK(sim.dim_theta() == expected[i].second.first);
    CHECK(sim.output_shape() == orrery::Shape{expected[i].second.second});
    CHECK(sim.kind() == orrery::Kind::Simulator);
  }
}

TEST_CASE("sbibm simulators are deterministic given theta and the stream seed") {
  for (const Task& t : all_tasks()) {
    INFO(t.simulator->task());
    const Eigen::MatrixXd a = orrery::sbibm::test::simulate_many(*t.simulator, t.theta, 5, 77);
    const Eigen::MatrixXd b = orrery::sbibm::test::simulate_many(*t.simulator, t.theta, 5, 77);
    const Eigen::MatrixXd c = orrery::sbibm::test::simulate_many(*t.simulator, t.theta, 5, 78);
    CHECK(a == b);
    CHECK(a != c);
    CHECK(a.allFinite());
  }
}

TEST_CASE("sbibm simulators give the same results from parallel threads") {
  // One split stream per simulation, as a campaign does: results must not
  // depend on which thread ran which item.
  for (const Task& t : all_tasks()) {
    INFO(t.simulator->task());
    const int n = 16;
    const orrery::RandomStream base(2024);
    const auto output = static_cast<Eigen::Index>(t.simulator->output_size());
    Eigen::MatrixXd serial(output, n), parallel(output, n);
    for (int i = 0; i < n; ++i) {
      orrery::RandomStream rng = base.split(static_cast<std::uint64_t>(i));
      t.simulator->simulate(t.theta, rng, serial.col(i));
    }
    std::vector<std::thread> threads;
    for (int w = 0; w < 4; ++w)
      threads.emplace_back([&, w] {
        for (int i = w; i < n; i += 4) {
          orrery::RandomStream rng = base.split(static_cast<std::uint64_t>(i));
          t.simulator->simulate(t.theta, rng, parallel.col(i));
        }
      });
    for (std::thread& th : threads) th.join();
    CHECK(serial == parallel);
  }
}

TEST_CASE("sbibm simulators take theta from the whole parameter vector") {
  // Named scalars in sbibm's order work as well as one block.
  auto sir = orrery::test::build<orrery::sbibm::Sir>({}, orrery::test::scalar_space({"beta", "gamma"}));
  CHECK(sir->dim_theta() == 2);
  const std::string message = orrery::test::config_error_message(
      [] { (void)orrery::test::build<orrery::sbibm::TwoMoons>({}, theta_space(3)); });
  CHECK_THAT(message, Catch::Contains("sbibm.two_moons") && Catch::Contains("2 elements") &&
                          Catch::Contains("theta[3]"));
  const std::string empty = orrery::test::config_error_message(
      [] { (void)orrery::test::build<orrery::sbibm::Sir>({}, orrery::ParameterSpace{}); });
  CHECK_THAT(empty, Catch::Contains("(beta, gamma)"));
}

TEST_CASE("sbibm simulators throw SimulationFailure for a non-finite theta") {
  for (const Task& t : all_tasks()) {
    INFO(t.simulator->task());
    Eigen::VectorXd theta = t.theta;
    theta[theta.size() - 1] = std::numeric_limits<double>::quiet_NaN();
    orrery::RandomStream rng(1);
    Eigen::VectorXd out(static_cast<Eigen::Index>(t.simulator->output_size()));
    CHECK_THROWS_AS(t.simulator->simulate(theta, rng, out), orrery::SimulationFailure);
    // A wrongly sized θ is a caller bug, not a failed simulation.
    Eigen::VectorXd longer(t.theta.size() + 1);
    longer << t.theta, 0.0;
    CHECK_THROWS_AS(t.simulator->simulate(longer, rng, out), orrery::Error);
  }
}

TEST_CASE("sir and lotka_volterra throw SimulationFailure when the ODE fails") {
  orrery::RandomStream rng(9);
  const auto lv = orrery::sbibm::test::build_task<orrery::sbibm::LotkaVolterra>(4);
  Eigen::VectorXd out_lv(20);
  // No predation and a huge growth rate: prey grows like exp(1000 t) and
  // overflows long before t = 18.9.
  CHECK_THROWS_WITH(lv->simulate(vec({1000.0, 0.0, 1.0, 0.0}), rng, out_lv),
                    Catch::Contains("sbibm.lotka_volterra failed at") && Catch::Contains("non-finite"));
  const auto sir = orrery::sbibm::test::build_task<orrery::sbibm::Sir>(2);
  Eigen::VectorXd out_sir(10);
  // A negative recovery rate makes I grow like exp(10 t): it overflows by t = 153.
  CHECK_THROWS_AS(sir->simulate(vec({0.5, -10.0}), rng, out_sir), orrery::SimulationFailure);
  // A huge contact rate makes the system stiff: the explicit solver runs out of steps.
  CHECK_THROWS_WITH(sir->simulate(vec({1e7, 0.1}), rng, out_sir),
                    Catch::Contains("sbibm.sir failed at") && Catch::Contains("steps"));
}
