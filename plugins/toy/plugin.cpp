// Registers the toy plugin's components: analytic benchmark densities with
// exact gradients and known moments, for validating and benchmarking samplers.
#include <orrery/plugin.hpp>

#include "banana_target.hpp"
#include "funnel_target.hpp"
#include "gaussian_target.hpp"
#include "rosenbrock_target.hpp"

ORRERY_DEFINE_PLUGIN("toy", "0.1.0") {
  using namespace orrery::toy;
  registry.add<GaussianTarget>("gaussian",
                               "Ill-conditioned Gaussian: log-spaced eigenvalues, seeded random rotation");
  registry.add<FunnelTarget>("funnel", "Neal's funnel: v ~ N(0, 9), x_i | v ~ N(0, e^v)");
  registry.add<BananaTarget>("banana", "Haario et al. (1999) twisted Gaussian (banana)");
  registry.add<RosenbrockTarget>("rosenbrock", "2-D Rosenbrock density of the emcee paper (Goodman & Weare 2010)");
}
