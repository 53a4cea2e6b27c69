#include "task_simulator.hpp"

#include <sstream>

namespace orrery::sbibm {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

TaskSimulator::TaskSimulator(orrery::Context& ctx, std::string task, std::vector<std::string> parameter_names,
                             std::size_t dim_x)
    : task_(std::move(task)), parameter_names_(std::move(parameter_names)), dim_x_(dim_x) {
  const orrery::ParameterSpace& space = ctx.parameters();
  if (space.dimension() != parameter_names_.size()) {
    std::vector<std::string> found;
    for (const orrery::ParameterBlock& b : space.blocks())
      found.push_back(b.is_scalar() ? b.name : b.name + orrery::shape_string(b.shape));
    throw orrery::ConfigError(
        ctx.options().location(""),
        "component '" + ctx.name() + "' (sbibm." + task_ + "): the task's θ has " +
            std::to_string(parameter_names_.size()) + " elements (" + join(parameter_names_) +
            "), and a simulator receives the whole parameter vector, but the analysis has " +
            std::to_string(space.dimension()) + " parameter elements" +
            (found.empty() ? std::string() : " (" + join(found) + ")") + "; declare exactly θ, e.g. one block with shape = [" +
            std::to_string(parameter_names_.size()) + "] or the scalars in this order");
  }
}

void TaskSimulator::simulate(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
                             Eigen::Ref<Eigen::VectorXd> out) const {
  if (static_cast<std::size_t>(theta.size()) != dim_theta() || static_cast<std::size_t>(out.size()) != dim_x_)
    throw orrery::Error("sbibm." + task_ + ": simulate needs θ of size " + std::to_string(dim_theta()) +
                        " and an output of size " + std::to_string(dim_x_) + ", found " +
                        std::to_string(theta.size()) + " and " + std::to_string(out.size()));
  if (!theta.allFinite()) fail(theta, "θ is not finite");
  run(theta, rng, out);
  if (!out.allFinite()) fail(theta, "the simulation produced a non-finite value");
}

void TaskSimulator::fail(const Eigen::Ref<const Eigen::VectorXd>& theta, const std::string& why) const {
  std::ostringstream s;
  s.precision(8);
  s << "sbibm." << task_ << " failed at θ = (";
  for (Eigen::Index i = 0; i < theta.size(); ++i) s << (i ? ", " : "") << theta[i];
  s << "): " << why;
  throw orrery::SimulationFailure(s.str());
}

}  // namespace orrery::sbibm
