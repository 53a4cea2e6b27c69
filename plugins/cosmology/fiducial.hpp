// The fiducial point at which the likelihood simulates its mock data and
// computes its covariance, and at which the Fisher task linearises the model.
#pragma once

#include <Eigen/Core>
#include <string_view>

#include <orrery/context.hpp>
#include <orrery/model.hpp>

namespace orrery::cosmology {

/// For a cosmology.limber_cl model, its fiducial_point() (fixed value or
/// `fiducial`, else `truth`, else the model's option value). For any other
/// model, every parameter's fixed value or `fiducial`, else its `truth`; a
/// parameter with neither is a ConfigError located at option `key`.
Eigen::VectorXd analysis_fiducial(const Context& ctx, const Model& model, std::string_view key);

}  // namespace orrery::cosmology
