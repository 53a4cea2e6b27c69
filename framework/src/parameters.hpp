// Parameter declarations from [parameters].
//
//   x = 0.3                                     fixed scalar
//   h = { value = 0.7, latex = "h" }            fixed scalar
//   x = { prior = "uniform", min = -5, max = 5, latex = "x", truth = 0.1 }
//   w0 = { fiducial = -1.0 }                    free, no prior (Fisher forecasts; not samplable)
//   [parameters.kappa]                          a field block
//   shape = [360, 360]
//   prior = "@score_prior"                      a Prior component; or a short prior name applied per element
//
// Keys other than prior/value/fiducial/truth/latex/shape are options of the
// prior named by `prior`.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include <orrery/array.hpp>
#include <orrery/parameter_space.hpp>
#include <orrery/value.hpp>

namespace orrery::kernel {

struct ParameterDecl {
  std::string name;
  SourceLocation where;
  Shape shape;            ///< empty for a scalar
  std::string latex;
  bool fixed = false;
  Eigen::VectorXd value;  ///< fixed value (fixed only)
  Eigen::VectorXd fiducial;
  Eigen::VectorXd truth;
  std::string prior;      ///< short or qualified prior name, "@component", or empty
  SourceLocation prior_where;
  Value prior_options{ValueTable{}};  ///< the remaining keys

  [[nodiscard]] bool has_prior() const { return !prior.empty(); }
  [[nodiscard]] bool prior_is_reference() const { return !prior.empty() && prior.front() == '@'; }
};

/// Reads and checks [parameters].
std::vector<ParameterDecl> read_parameters(const Value& section);

/// The full parameter space (every parameter, fixed ones included). Bounds are
/// ±infinity until the priors are built.
ParameterSpace full_space(const std::vector<ParameterDecl>& decls);

}  // namespace orrery::kernel
