// Registers the core plugin's components: standard priors and a Gaussian
// likelihood.
#include <orrery/plugin.hpp>

#include "flat_prior.hpp"
#include "gaussian_likelihood.hpp"
#include "lognormal_prior.hpp"
#include "loguniform_prior.hpp"
#include "normal_prior.hpp"
#include "truncated_normal_prior.hpp"
#include "uniform_prior.hpp"

ORRERY_DEFINE_PLUGIN("core", "0.1.0") {
  using namespace orrery::core;
  registry.add<UniformPrior>("uniform", "Uniform prior on [min, max], elementwise");
  registry.add<NormalPrior>("normal", "Normal prior N(mean, sd^2), elementwise");
  registry.add<TruncatedNormalPrior>("truncated_normal", "Normal prior truncated to [min, max], elementwise");
  registry.add<LognormalPrior>("lognormal", "Log-normal prior: log(x) ~ N(mu, sigma^2), elementwise");
  registry.add<LoguniformPrior>("loguniform", "Log-uniform prior, density proportional to 1/x on [min, max]");
  registry.add<FlatPrior>("flat", "Improper flat prior on [min, max] (default: the real line), elementwise");
  registry.add<GaussianLikelihood>("gaussian_likelihood", "Multivariate normal likelihood of named parameters");
}
