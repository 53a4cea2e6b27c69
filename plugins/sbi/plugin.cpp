// Registers the sbi plugin: simulation-based inference with neural density
// estimators (neural likelihood, sequential neural likelihood and neural
// posterior estimation).
#include <orrery/plugin.hpp>

#include "neural_likelihood.hpp"
#include "neural_posterior.hpp"
#include "sequential_neural_likelihood.hpp"

ORRERY_DEFINE_PLUGIN("sbi", "0.1.0") {
  using namespace orrery::sbi;
  registry.add<NeuralLikelihood>("nle",
                                 "Neural likelihood estimation: trains q(x | θ) on prior simulations and acts as the "
                                 "likelihood of the observation (i.i.d. data sets multiply)");
  registry.add<SequentialNeuralLikelihood>(
      "snle",
      "Sequential neural likelihood estimation: rounds of simulations, the first from the prior, each later one "
      "from the current posterior estimate (ensemble MCMC), retraining q(x | θ) on all of them; then the "
      "likelihood of the observation like sbi.nle");
  registry.add<NeuralPosteriorSampler>("npe",
                                       "Neural posterior estimation: trains q(θ | x) on prior simulations and draws "
                                       "i.i.d. posterior samples at the observation, rejected outside the prior");
}
