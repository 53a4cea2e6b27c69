// Helpers for the sbibm plugin's tests: a parameter space of the right size,
// building a task simulator without the kernel, many simulations into a
// matrix, and the location of the stored sbibm references.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <string>

#include <orrery/parameter_space.hpp>
#include <orrery/random.hpp>
#include <orrery/simulator.hpp>

#include "support/test_context.hpp"

namespace orrery::sbibm::test {

/// The folder holding sbibm/<task>/num_observation_<k>/ (the shared validation data).
inline const std::filesystem::path kValidationDir = ORRERY_VALIDATION_DIR;

/// One unbounded block `theta` of shape [d]: the full parameter vector of a task.
inline orrery::ParameterSpace theta_space(std::size_t d) {
  orrery::ParameterSpace space;
  orrery::ParameterBlock block;
  block.name = "theta";
  block.shape = {d};
  space.add(std::move(block));
  return space;
}

/// A task simulator T built as the kernel would, for a θ of size d.
template <typename T>
orrery::test::Built<T> build_task(std::size_t d) {
  return orrery::test::build<T>({}, theta_space(d));
}

/// n simulations at theta from one stream seeded with `seed`, one per column.
inline Eigen::MatrixXd simulate_many(const orrery::Simulator& sim, const Eigen::VectorXd& theta, int n,
                                     std::uint64_t seed) {
  orrery::RandomStream rng(seed);
  Eigen::MatrixXd out(static_cast<Eigen::Index>(sim.output_size()), n);
  for (int j = 0; j < n; ++j) sim.simulate(theta, rng, out.col(j));
  return out;
}

}  // namespace orrery::sbibm::test
