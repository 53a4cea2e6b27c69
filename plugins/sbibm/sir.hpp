// Sir ("sbibm.sir"): the SIR epidemic model. θ = (β, γ), the contact and the
// recovery rate (per day); x ∈ R¹⁰ holds counts.
//
// Prior (not part of this component): β ~ LogNormal(ln 0.4, 0.5) and
// γ ~ LogNormal(ln 0.125, 0.2), i.e. core.lognormal with mu = ln 0.4,
// sigma = 0.5 and mu = ln 0.125, sigma = 0.2.
//
// ODE, with N = 1e6 and (S, I, R)(0) = (N - 1, 1, 0):
//   S' = -β S I / N,  I' = β S I / N - γ I,  R' = γ I,
// solved with Dormand–Prince 5(4) at rtol = atol = 1e-8 (sbibm: Tsit5 at the
// same tolerances) up to the observation times t_k = 0, 17, ..., 153 days.
// Observation: x_k ~ Binomial(1000, clamp(I(t_k) / N, 0, 1)) independently.
// A failed solve throws SimulationFailure (sbibm returns NaN). No options.
#pragma once

#include "task_simulator.hpp"

namespace orrery::sbibm {

class Sir final : public TaskSimulator {
 public:
  static orrery::Schema options() { return {}; }
  explicit Sir(orrery::Context& ctx);

  static constexpr int kObservations = 10;
  static constexpr double kPopulation = 1e6;   ///< N
  static constexpr double kDaysBetween = 17.0; ///< spacing of the observation times (days)
  static constexpr int kTrials = 1000;         ///< binomial total count

  using Fractions = Eigen::Matrix<double, kObservations, 1>;
  using States = Eigen::Matrix<double, 3, kObservations>;

  /// (S, I, R) at the observation times for θ = (β, γ). Throws OdeFailure.
  static States solve(const Eigen::Ref<const Eigen::VectorXd>& theta);
  /// I(t_k) / N (unclamped) for θ. Throws OdeFailure.
  static Fractions infected_fraction(const Eigen::Ref<const Eigen::VectorXd>& theta);

 private:
  void run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
           Eigen::Ref<Eigen::VectorXd> out) const override;
};

}  // namespace orrery::sbibm
