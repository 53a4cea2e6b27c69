// Step-size adaptation shared by the Hamiltonian samplers: Nesterov dual
// averaging (Hoffman & Gelman 2014, as in Stan).
#pragma once

#include <cmath>

namespace orrery::samplers {

/// Dual averaging of log(step size) towards a target mean acceptance
/// statistic `delta`. Call restart(step) at the start of warm-up and after
/// every metric update, learn(accept_stat) after every warm-up transition
/// (it returns the step size for the next one), and final_step_size() at the
/// end of warm-up.
class DualAveraging {
 public:
  explicit DualAveraging(double delta, double gamma = 0.05, double t0 = 10.0, double kappa = 0.75)
      : delta_(delta), gamma_(gamma), t0_(t0), kappa_(kappa) {}

  /// Forgets the history and centres the search on log(10 · step_size).
  void restart(double step_size) {
    counter_ = 0.0;
    s_bar_ = 0.0;
    x_bar_ = 0.0;
    mu_ = std::log(10.0 * step_size);
  }

  /// Updates with the acceptance statistic of the last transition (NaN counts
  /// as 0); returns the step size to use next.
  double learn(double accept_stat);

  /// The averaged step size exp(x̄), used after warm-up.
  [[nodiscard]] double final_step_size() const { return std::exp(x_bar_); }
  [[nodiscard]] double delta() const { return delta_; }

  /// The adaptation's running state, for checkpoints.
  template <typename IO>
  void visit(IO& io) {
    io(counter_);
    io(s_bar_);
    io(x_bar_);
    io(mu_);
  }

 private:
  double delta_, gamma_, t0_, kappa_;
  double counter_ = 0.0;
  double s_bar_ = 0.0;
  double x_bar_ = 0.0;
  double mu_ = 0.0;
};

}  // namespace orrery::samplers
