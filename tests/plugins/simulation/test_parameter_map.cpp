// ParameterMap: free ↔ full by block name, with a fixed parameter taking its
// value, blocks in another order, gradients zero on fixed blocks, and errors
// naming the block for spaces that do not fit together.
#include <catch2/catch.hpp>

#include "simulation/npy_file.hpp"
#include "simulation/parameter_map.hpp"
#include "simulation/simulation_campaign.hpp"
#include "simulation/simulation_store.hpp"
#include "simulation_test_support.hpp"

using namespace orrery;
using orrery::simulation::ParameterMap;

namespace {

ParameterBlock block(const std::string& name, Shape shape = {}, bool fixed = false, Eigen::VectorXd value = {}) {
  ParameterBlock b;
  b.name = name;
  b.shape = std::move(shape);
  b.fixed = fixed;
  b.fiducial = std::move(value);
  return b;
}

}  // namespace

TEST_CASE("free and full vectors map by name with a fixed parameter", "[simulation][parameter_map]") {
  // full: a (scalar), h (fixed 0.7), field f [2]; free (another order): f, a.
  ParameterSpace full;
  full.add(block("a"));
  full.add(block("h", {}, true, Eigen::VectorXd::Constant(1, 0.7)));
  full.add(block("f", {2}));
  ParameterSpace free;
  free.add(block("f", {2}));
  free.add(block("a"));
  const ParameterMap map(free, full);
  CHECK(map.free_dimension() == 3);
  CHECK(map.full_dimension() == 4);

  const Eigen::Vector3d x(10.0, 11.0, -1.0);  // f = (10, 11), a = -1
  Eigen::VectorXd theta(4);
  map.to_full(x, theta);
  CHECK(theta == Eigen::Vector4d(-1.0, 0.7, 10.0, 11.0));
  Eigen::VectorXd back(3);
  map.to_free(theta, back);
  CHECK(back == x);

  Eigen::VectorXd grad(4);
  grad.setConstant(99.0);
  map.gradient_to_full(Eigen::Vector3d(1.0, 2.0, 3.0), grad);
  CHECK(grad == Eigen::Vector4d(3.0, 0.0, 1.0, 2.0));
}

TEST_CASE("parameter map errors name the block", "[simulation][parameter_map]") {
  ParameterSpace full;
  full.add(block("a"));
  full.add(block("b"));
  ParameterSpace only_a;
  only_a.add(block("a"));
  CHECK_THROWS_WITH(ParameterMap(only_a, full), Catch::Contains("'b'") && Catch::Contains("free"));
  ParameterSpace unknown;
  unknown.add(block("z"));
  CHECK_THROWS_WITH(ParameterMap(unknown, full), Catch::Contains("'z'") && Catch::Contains("not a parameter"));
  ParameterSpace wrong_size;
  wrong_size.add(block("a", {3}));
  wrong_size.add(block("b"));
  CHECK_THROWS_WITH(ParameterMap(wrong_size, full), Catch::Contains("'a'") && Catch::Contains("[3]"));
}
