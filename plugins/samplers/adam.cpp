#include "adam.hpp"

#include <cmath>

namespace orrery::samplers {

OptimiserResult minimise_adam(const Objective& f, const Eigen::VectorXd& x0, const AdamOptions& options,
                              const std::function<void()>& on_iteration) {
  const Eigen::Index d = x0.size();
  OptimiserResult result = OptimiserResult::start(f, x0);
  if (result.reason == StopReason::NonFinite) return result;

  Eigen::VectorXd m = Eigen::VectorXd::Zero(d), v = Eigen::VectorXd::Zero(d);
  Eigen::VectorXd step(d), x_new(d), g_new(d);
  double beta1_power = 1.0, beta2_power = 1.0;  // β1ᵗ, β2ᵗ
  while (true) {
    if (result.gradient.lpNorm<Eigen::Infinity>() <= options.gradient_tolerance) {
      result.reason = StopReason::GradientTolerance;
      break;
    }
    if (result.iterations >= options.max_iterations) {
      result.reason = StopReason::MaxIterations;
      break;
    }
    const Eigen::VectorXd& g = result.gradient;
    m = options.beta1 * m + (1.0 - options.beta1) * g;
    v = options.beta2 * v + (1.0 - options.beta2) * g.cwiseProduct(g);
    beta1_power *= options.beta1;
    beta2_power *= options.beta2;
    // α m̂ / (√v̂ + ε) with the bias corrections written out.
    step = (options.learning_rate / (1.0 - beta1_power)) * m.array() /
           ((v.array() / (1.0 - beta2_power)).sqrt() + options.epsilon);

    double value = 0.0;
    bool finite = false;
    for (int k = 0; k <= options.max_backtracks && !finite; ++k) {
      if (k > 0) step *= 0.5;  // the step left the domain: halve it
      x_new = result.x - step;
      value = f(x_new, g_new);
      ++result.evaluations;
      finite = std::isfinite(value) && g_new.allFinite();
    }
    if (!finite) {
      result.reason = StopReason::NonFinite;
      break;
    }
    result.x.swap(x_new);
    result.gradient.swap(g_new);
    result.value = value;
    ++result.iterations;
    if (on_iteration) on_iteration();
  }
  return result;
}

}  // namespace orrery::samplers
