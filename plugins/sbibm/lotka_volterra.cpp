#include "lotka_volterra.hpp"

#include <algorithm>
#include <cmath>

#include "ode.hpp"
#include "random_draws.hpp"

namespace orrery::sbibm {

LotkaVolterra::LotkaVolterra(orrery::Context& ctx)
    : TaskSimulator(ctx, "lotka_volterra", {"alpha", "beta", "gamma", "delta"}, 2 * kTimes) {}

LotkaVolterra::Populations LotkaVolterra::populations(const Eigen::Ref<const Eigen::VectorXd>& theta) {
  const Eigen::Vector4d p = theta;
  const double* r = p.data();  // captured as a pointer so OdeRhs never allocates
  const OdeRhs rhs = [r](double, const Eigen::Ref<const Eigen::VectorXd>& y, Eigen::Ref<Eigen::VectorXd> dydt) {
    dydt[0] = r[0] * y[0] - r[1] * y[0] * y[1];
    dydt[1] = -r[2] * y[1] + r[3] * y[0] * y[1];
  };
  const Eigen::Vector2d y0(30.0, 1.0);
  Eigen::Matrix<double, kTimes, 1> times;
  for (int k = 0; k < kTimes; ++k) times[k] = time(k);
  Eigen::Matrix<double, 2, kTimes> states;
  solve_dopri5(rhs, 0.0, y0, times, states);
  Populations out;
  out.head<kTimes>() = states.row(0).transpose();
  out.tail<kTimes>() = states.row(1).transpose();
  return out;
}

void LotkaVolterra::run(const Eigen::Ref<const Eigen::VectorXd>& theta, orrery::RandomStream& rng,
                        Eigen::Ref<Eigen::VectorXd> out) const {
  Populations mean;
  try {
    mean = populations(theta);
  } catch (const OdeFailure& e) {
    fail(theta, e.what());
  }
  if (!mean.allFinite()) fail(theta, "the populations are not finite");
  for (int i = 0; i < 2 * kTimes; ++i)
    out[i] = lognormal(rng, std::log(std::clamp(mean[i], kClampMin, kClampMax)), kNoiseSd);
}

}  // namespace orrery::sbibm
