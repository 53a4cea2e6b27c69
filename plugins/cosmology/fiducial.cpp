#include "fiducial.hpp"

#include "limber_cl_model.hpp"

namespace orrery::cosmology {

Eigen::VectorXd analysis_fiducial(const Context& ctx, const Model& model, std::string_view key) {
  if (const auto* cl = dynamic_cast<const LimberClModel*>(&model)) return cl->fiducial_point();
  const ParameterSpace& space = ctx.parameters();
  Eigen::VectorXd theta(static_cast<Eigen::Index>(space.dimension()));
  for (const ParameterBlock& b : space.blocks()) {
    const Eigen::VectorXd& v = b.fiducial.size() > 0 ? b.fiducial : b.truth;
    if (v.size() != static_cast<Eigen::Index>(b.size()))
      throw ConfigError(ctx.options().location(key), "component '" + ctx.name() + "': parameter '" + b.name +
                                                         "' needs a fiducial (or truth) value in [parameters]");
    theta.segment(static_cast<Eigen::Index>(b.offset), v.size()) = v;
  }
  return theta;
}

}  // namespace orrery::cosmology
