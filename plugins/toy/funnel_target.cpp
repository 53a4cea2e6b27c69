#include "funnel_target.hpp"

#include <cmath>

namespace orrery::toy {

orrery::Schema FunnelTarget::options() {
  using namespace orrery::option;
  return {integer("dimension").default_value(10).range(2, 100000).doc("number of coordinates d, v included")};
}

FunnelTarget::FunnelTarget(orrery::Context& ctx)
    : FunnelTarget(static_cast<Eigen::Index>(ctx.options().integer("dimension"))) {}

namespace {
std::vector<std::string> funnel_names(Eigen::Index d) {
  std::vector<std::string> names = numbered_names("x", 1, d - 1);
  names.insert(names.begin(), "v");
  return names;
}
Eigen::VectorXd funnel_sd(Eigen::Index d) {
  Eigen::VectorXd sd = Eigen::VectorXd::Constant(d, std::exp(FunnelTarget::kScaleV * FunnelTarget::kScaleV / 4.0));
  sd[0] = FunnelTarget::kScaleV;
  return sd;
}
}  // namespace

FunnelTarget::FunnelTarget(Eigen::Index d) : ToyTarget(funnel_names(d), Eigen::VectorXd::Zero(d), funnel_sd(d)) {}

double FunnelTarget::log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  const double v = x[0];
  const auto n = static_cast<double>(x.size() - 1);
  // Far in the neck e^(−v) overflows: −inf (or NaN for x = 0), a rejection.
  return -v * v / (2.0 * kScaleV * kScaleV) - 0.5 * n * v - 0.5 * std::exp(-v) * x.tail(x.size() - 1).squaredNorm();
}

double FunnelTarget::log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x,
                                          Eigen::Ref<Eigen::VectorXd> grad) const {
  const double v = x[0];
  const auto n = static_cast<double>(x.size() - 1);
  const double precision = std::exp(-v);  // of x_i given v
  const double sum_squares = x.tail(x.size() - 1).squaredNorm();
  grad.tail(x.size() - 1) = -precision * x.tail(x.size() - 1);
  grad[0] = -v / (kScaleV * kScaleV) - 0.5 * n + 0.5 * precision * sum_squares;
  return -v * v / (2.0 * kScaleV * kScaleV) - 0.5 * n * v - 0.5 * precision * sum_squares;
}

void FunnelTarget::initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const {
  for (Eigen::Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(-2.0, 2.0);
}

}  // namespace orrery::toy
