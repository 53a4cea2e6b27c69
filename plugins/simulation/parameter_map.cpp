#include "simulation/parameter_map.hpp"

#include <string>

#include <orrery/error.hpp>

namespace orrery::simulation {

ParameterMap::ParameterMap(const ParameterSpace& free, const ParameterSpace& full)
    : fixed_values_(Eigen::VectorXd::Zero(static_cast<Eigen::Index>(full.dimension()))),
      free_dimension_(free.dimension()) {
  std::vector<bool> covered(full.blocks().size(), false);
  for (const ParameterBlock& f : free.blocks()) {
    const ParameterBlock* g = full.find(f.name);
    if (g == nullptr)
      throw Error("the prior's parameter '" + f.name + "' is not a parameter of the analysis");
    if (g->size() != f.size())
      throw Error("parameter '" + f.name + "' has shape " + shape_string(f.shape) + " in the prior but " +
                  shape_string(g->shape) + " in the analysis");
    covered[static_cast<std::size_t>(g - full.blocks().data())] = true;
    segments_.push_back({static_cast<Eigen::Index>(f.offset), static_cast<Eigen::Index>(g->offset),
                         static_cast<Eigen::Index>(f.size())});
  }
  for (std::size_t i = 0; i < full.blocks().size(); ++i) {
    if (covered[i]) continue;
    const ParameterBlock& b = full.blocks()[i];
    if (!b.fixed)
      throw Error("parameter '" + b.name + "' is free in the analysis, but the prior target does not cover it");
    if (b.fiducial.size() != static_cast<Eigen::Index>(b.size()))
      throw Error("fixed parameter '" + b.name + "' has no value");
    fixed_values_.segment(static_cast<Eigen::Index>(b.offset), static_cast<Eigen::Index>(b.size())) = b.fiducial;
  }
}

void ParameterMap::to_full(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> theta) const {
  theta = fixed_values_;
  for (const Segment& s : segments_) theta.segment(s.full_offset, s.size) = x.segment(s.free_offset, s.size);
}

void ParameterMap::to_free(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::VectorXd> x) const {
  for (const Segment& s : segments_) x.segment(s.free_offset, s.size) = theta.segment(s.full_offset, s.size);
}

void ParameterMap::gradient_to_full(const Eigen::Ref<const Eigen::VectorXd>& grad_free,
                                    Eigen::Ref<Eigen::VectorXd> grad_full) const {
  grad_full.setZero();
  for (const Segment& s : segments_) grad_full.segment(s.full_offset, s.size) = grad_free.segment(s.free_offset, s.size);
}

}  // namespace orrery::simulation
