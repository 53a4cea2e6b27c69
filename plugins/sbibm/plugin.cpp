// Registers the sbibm plugin: the eight benchmark tasks of Lueckmann et al.
// (AISTATS 2021) as Simulators, and the one prior the core priors cannot
// express (bernoulli_glm's correlated Gaussian).
#include <orrery/plugin.hpp>

#include "bernoulli_glm.hpp"
#include "bernoulli_glm_prior.hpp"
#include "gaussian_linear.hpp"
#include "gaussian_linear_uniform.hpp"
#include "gaussian_mixture.hpp"
#include "lotka_volterra.hpp"
#include "sir.hpp"
#include "slcp.hpp"
#include "two_moons.hpp"

ORRERY_DEFINE_PLUGIN("sbibm", "0.1.0") {
  using namespace orrery::sbibm;
  registry.add<TwoMoons>("two_moons", "sbibm two moons: θ ∈ R², x ∈ R², crescent-shaped posterior");
  registry.add<GaussianLinear>("gaussian_linear", "sbibm Gaussian linear: x ~ N(θ, 0.1 I), 10-d");
  registry.add<GaussianLinearUniform>("gaussian_linear_uniform",
                                      "sbibm Gaussian linear with a uniform prior: x ~ N(θ, 0.1 I), 10-d");
  registry.add<Slcp>("slcp", "sbibm SLCP: 4 draws from a 2-d Gaussian with θ-dependent mean and covariance, θ ∈ R⁵");
  registry.add<GaussianMixture>("gaussian_mixture",
                                "sbibm Gaussian mixture: x ~ ½ N(θ, I) + ½ N(θ, 0.01 I), 2-d");
  registry.add<BernoulliGlm>("bernoulli_glm",
                             "sbibm Bernoulli GLM: 100 spike bins from a logistic GLM, summarised as Xᵀy, θ ∈ R¹⁰");
  registry.add<BernoulliGlmPrior>("bernoulli_glm_prior",
                                  "Gaussian smoothness prior of sbibm's Bernoulli GLM over one 10-element block");
  registry.add<Sir>("sir", "sbibm SIR epidemic: ODE solved at rtol = atol = 1e-8, binomial counts at 10 times");
  registry.add<LotkaVolterra>("lotka_volterra",
                              "sbibm Lotka–Volterra: ODE solved at rtol = atol = 1e-8, log-normal noise, 20 values");
}
