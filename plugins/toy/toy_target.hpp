// ToyTarget: the common base of the toy plugin's analytic benchmark densities.
// It holds the parameter space (named scalars) and the exact marginal means
// and standard deviations that validation tests and benchmarks compare with.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <orrery/options.hpp>
#include <orrery/parameter_space.hpp>
#include <orrery/random.hpp>
#include <orrery/target.hpp>

namespace orrery::toy {

class ToyTarget : public orrery::Target {
 public:
  [[nodiscard]] const orrery::ParameterSpace& space() const final { return space_; }
  [[nodiscard]] bool has_gradient() const final { return true; }

  /// Exact marginal mean and standard deviation of every coordinate.
  [[nodiscard]] const Eigen::VectorXd& exact_mean() const { return exact_mean_; }
  [[nodiscard]] const Eigen::VectorXd& exact_sd() const { return exact_sd_; }

 protected:
  /// Scalars named `names`, in this order, with their exact moments.
  ToyTarget(const std::vector<std::string>& names, Eigen::VectorXd exact_mean, Eigen::VectorXd exact_sd);

  /// Each coordinate independently uniform on centre ± half_width.
  static void uniform_box(orrery::RandomStream& rng, const Eigen::VectorXd& centre, const Eigen::VectorXd& half_width,
                          Eigen::Ref<Eigen::VectorXd> x);

 private:
  orrery::ParameterSpace space_;
  Eigen::VectorXd exact_mean_;
  Eigen::VectorXd exact_sd_;
};

/// "x1", "x2", ..., "x<count>" (1-based, as in the papers).
std::vector<std::string> numbered_names(const std::string& prefix, std::int64_t first, std::int64_t count);

/// The real option `key`, which must be finite (the schema cannot say so).
double finite_option(const orrery::Options& options, std::string_view key);

}  // namespace orrery::toy
