// LotkaVolterra ("sbibm.lotka_volterra"): predator–prey dynamics.
// θ = (α, β, γ, δ); x ∈ R²⁰.
//
// Prior (not part of this component): independent log-normals with
// (mu, sigma) of the log = (-0.125, 0.5), (-3, 0.5), (-0.125, 0.5), (-3, 0.5),
// i.e. core.lognormal on each scalar.
//
// ODE for prey u and predator v from (u, v)(0) = (30, 1):
//   u' = α u - β u v,  v' = -γ v + δ u v,
// solved with Dormand–Prince 5(4) at rtol = atol = 1e-8 (sbibm: Tsit5 at the
// same tolerances) up to t_k = 2.1 k, k = 0..9 (every 21st point of sbibm's
// 0.1-day grid). x = (u(t_0..t_9), v(t_0..t_9)), prey first, and each value
// is ~ LogNormal(ln clamp(value, 1e-10, 1e4), 0.1) independently. A failed
// solve throws SimulationFailure (sbibm returns NaN). No options.
#pragma once

#include "task_simulator.hpp"

namespace orrery::sbibm {

class LotkaVolterra final : public TaskSimulator {
 public:
  static orrery::Schema options() { return {}; }
  explicit LotkaVolterra(orrery::Context& ctx);

  static constexpr int kTimes = 10;
  static constexpr double kNoiseSd = 0.1;    ///< sd of the log-normal observation noise
  static constexpr double kClampMin = 1e-10;
  static constexpr double kClampMax = 1e4;

  using Populations = Eigen::Matrix<double, 2 * kTimes, 1>;

  /// Observation time k (2.1 k).
  static double time(int k) { return 21.0 * k / 10.0; }
  /// Noiseless (u(t_0..t_9), v(t_0..t_9)) for θ, unclamped. Throws OdeFailure.
  static Populations populations(const Eigen::Ref<const Eigen::VectorXd>& theta);

 private:
  void run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
           Eigen::Ref<Eigen::VectorXd> out) const override;
};

}  // namespace orrery::sbibm
