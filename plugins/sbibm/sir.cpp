#include "sir.hpp"

#include <algorithm>

#include "ode.hpp"
#include "random_draws.hpp"

namespace orrery::sbibm {

Sir::Sir(orrery::Context& ctx) : TaskSimulator(ctx, "sir", {"beta", "gamma"}, kObservations) {}

Sir::States Sir::solve(const Eigen::Ref<const Eigen::VectorXd>& theta) {
  const double rates[2] = {theta[0], theta[1]};  // β, γ
  const double* r = rates;  // captured as a pointer so OdeRhs never allocates
  const OdeRhs rhs = [r](double, const Eigen::Ref<const Eigen::VectorXd>& y, Eigen::Ref<Eigen::VectorXd> dydt) {
    const double infection = r[0] * y[0] * y[1] / kPopulation;
    const double recovery = r[1] * y[1];
    dydt[0] = -infection;
    dydt[1] = infection - recovery;
    dydt[2] = recovery;
  };
  const Eigen::Vector3d y0(kPopulation - 1.0, 1.0, 0.0);
  Eigen::Matrix<double, kObservations, 1> times;
  for (int k = 0; k < kObservations; ++k) times[k] = kDaysBetween * k;
  States states;
  solve_dopri5(rhs, 0.0, y0, times, states);
  return states;
}

Sir::Fractions Sir::infected_fraction(const Eigen::Ref<const Eigen::VectorXd>& theta) {
  return solve(theta).row(1).transpose() / kPopulation;
}

void Sir::run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
              Eigen::Ref<Eigen::VectorXd> out) const {
  Fractions fraction;
  try {
    fraction = infected_fraction(theta);
  } catch (const OdeFailure& e) {
    fail(theta, e.what());
  }
  if (!fraction.allFinite()) fail(theta, "the infected fraction is not finite");
  for (int k = 0; k < kObservations; ++k)
    out[k] = static_cast<double>(binomial(rng, kTrials, std::clamp(fraction[k], 0.0, 1.0)));
}

}  // namespace orrery::sbibm
