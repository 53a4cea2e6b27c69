// Gaussian targets with gradients for the gradient-based sampler tests.
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <string>

#include <orrery/parameter_space.hpp>
#include <orrery/random.hpp>
#include <orrery/target.hpp>

namespace orrery::test {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// N(mean, cov) with gradient; optionally NaN (density and gradient) where
/// x[0] > nan_above. Initial points uniform on [-2, 2] per coordinate.
class GaussianTarget final : public orrery::Target {
 public:
  GaussianTarget(Eigen::VectorXd mean, Eigen::MatrixXd cov, bool gradient = true)
      : space_(make_space(mean.size())), mean_(std::move(mean)), cov_(std::move(cov)), precision_(cov_.inverse()),
        gradient_(gradient) {}

  [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override {
    if (x[0] > nan_above) return kNaN;
    const Eigen::VectorXd r = x - mean_;
    return -0.5 * r.dot(precision_ * r);
  }
  [[nodiscard]] bool has_gradient() const override { return gradient_; }
  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                              Eigen::Ref<Eigen::VectorXd> grad) const override {
    if (x[0] > nan_above) {
      grad.setConstant(kNaN);
      return kNaN;
    }
    grad.noalias() = -(precision_ * (x - mean_));
    return -0.5 * (x - mean_).dot(precision_ * (x - mean_));
  }
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override {
    for (Eigen::Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(-2.0, 2.0);
  }

  [[nodiscard]] const Eigen::VectorXd& mean() const { return mean_; }
  [[nodiscard]] const Eigen::MatrixXd& cov() const { return cov_; }
  double nan_above = kInf;

 private:
  static orrery::ParameterSpace make_space(Eigen::Index d) {
    orrery::ParameterSpace space;
    for (Eigen::Index i = 0; i < d; ++i) {
      orrery::ParameterBlock b;
      b.name = "x" + std::to_string(i);
      space.add(b);
    }
    return space;
  }
  orrery::ParameterSpace space_;
  Eigen::VectorXd mean_;
  Eigen::MatrixXd cov_;
  Eigen::MatrixXd precision_;
  bool gradient_;
};

/// A correlated 2-D Gaussian: sd 1 and 2, correlation 0.8, mean (1, -2).
inline GaussianTarget correlated_target() {
  Eigen::MatrixXd cov(2, 2);
  cov << 1.0, 1.6, 1.6, 4.0;
  return GaussianTarget(Eigen::Vector2d(1.0, -2.0), cov);
}

/// `d` independent coordinates with sds log-spaced from sd_min to sd_max and means -1..1.
inline GaussianTarget scaled_target(int d, double sd_min, double sd_max) {
  Eigen::VectorXd mean(d), sd(d);
  for (int i = 0; i < d; ++i) {
    sd[i] = sd_min * std::pow(sd_max / sd_min, static_cast<double>(i) / (d - 1));
    mean[i] = -1.0 + 2.0 * i / (d - 1);
  }
  return GaussianTarget(mean, sd.array().square().matrix().asDiagonal().toDenseMatrix());
}

}  // namespace orrery::test
