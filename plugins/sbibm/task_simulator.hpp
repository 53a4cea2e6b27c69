// TaskSimulator: the frame shared by the sbibm benchmark simulators.
//
// θ: a simulator receives the analysis's full parameter vector (see
// simulator.hpp) and uses all of it, in order, as the task's θ. The
// constructor therefore requires the full parameter space to have exactly
// dim_theta elements (for example one block `theta = { shape = [10], ... }`,
// or dim_theta scalar parameters declared in sbibm's order) and throws a
// ConfigError naming the expected parameters otherwise.
//
// simulate() checks sizes (orrery::Error on a mismatch: a caller bug), throws
// orrery::SimulationFailure for a non-finite θ, runs the task, and throws
// SimulationFailure if the task produced a non-finite value, so a returned
// simulation is always finite. Tasks are const and draw all randomness from
// the stream passed in: thread-safe for distinct streams, and deterministic
// given (θ, stream state).
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <vector>

#include <orrery/context.hpp>
#include <orrery/schema.hpp>
#include <orrery/simulator.hpp>

namespace orrery::sbibm {

class TaskSimulator : public orrery::Simulator {
 public:
  /// `task` is sbibm's name ("two_moons"); `parameter_names` lists θ in order.
  TaskSimulator(orrery::Context& ctx, std::string task, std::vector<std::string> parameter_names,
                std::size_t dim_x);

  [[nodiscard]] orrery::Shape output_shape() const final { return {dim_x_}; }
  [[nodiscard]] std::size_t dim_theta() const { return parameter_names_.size(); }
  [[nodiscard]] std::size_t dim_x() const { return dim_x_; }
  [[nodiscard]] const std::string& task() const { return task_; }

  void simulate(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
                Eigen::Ref<Eigen::VectorXd> out) const final;

 protected:
  /// One simulation; theta has dim_theta() finite entries, out has dim_x().
  virtual void run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
                   Eigen::Ref<Eigen::VectorXd> out) const = 0;

  /// Throws SimulationFailure "sbibm.<task> failed at θ = (...): <why>".
  [[noreturn]] void fail(const Eigen::Ref<const Eigen::VectorXd>& theta, const std::string& why) const;

 private:
  std::string task_;
  std::vector<std::string> parameter_names_;
  std::size_t dim_x_;
};

}  // namespace orrery::sbibm
