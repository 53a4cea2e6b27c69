// Registers the samplers plugin's components: the ensemble, NUTS, HMC, MALA
// and adaptive Metropolis samplers, and the MAP optimiser task.
#include <orrery/plugin.hpp>

#include "ensemble_sampler.hpp"
#include "hmc_sampler.hpp"
#include "mala_sampler.hpp"
#include "map_task.hpp"
#include "metropolis_sampler.hpp"
#include "nuts_sampler.hpp"

ORRERY_DEFINE_PLUGIN("samplers", "0.1.0") {
  using namespace orrery::samplers;
  registry.add<EnsembleSampler>("ensemble",
                                "Affine-invariant ensemble sampler (Goodman & Weare 2010, as emcee): stretch, "
                                "differential-evolution and walk moves");
  registry.add<NutsSampler>("nuts",
                            "No-U-turn sampler (multinomial, generalised U-turn) with Stan-style windowed warm-up, "
                            "diagonal or dense metric");
  registry.add<HmcSampler>("hmc", "Static Hamiltonian Monte Carlo with dual-averaging step size and metric adaptation");
  registry.add<MalaSampler>("mala",
                            "Metropolis-adjusted Langevin algorithm with dual-averaging step size and windowed "
                            "diagonal metric adaptation");
  registry.add<MetropolisSampler>("metropolis", "Adaptive random-walk Metropolis sampler (Haario et al. 2001)");
  registry.add<MapTask>("map",
                        "Maximum a posteriori point by L-BFGS or Adam from several starts, with the Laplace "
                        "covariance");
}
