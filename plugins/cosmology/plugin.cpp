// Registers the cosmology plugin's components: the Limber C_ell model, the
// Gaussian C_ell likelihood, the Fisher forecast and the tabulation task.
#include <orrery/plugin.hpp>

#include "fisher_task.hpp"
#include "gaussian_cl_likelihood.hpp"
#include "limber_cl_model.hpp"
#include "tabulate_task.hpp"

ORRERY_DEFINE_PLUGIN("cosmology", "0.1.0") {
  using namespace orrery::cosmology;
  registry.add<LimberClModel>("limber_cl", "Limber angular power spectra C_ell (shear, counts) with exact Jacobian and Gaussian covariance");
  registry.add<GaussianClLikelihood>("gaussian_cl_likelihood", "Gaussian likelihood of a C_ell data vector (file or simulated at the fiducial)");
  registry.add<FisherTask>("fisher", "Fisher forecast F = J^T C^-1 J: errors, DETF figures of merit, confidence ellipses");
  registry.add<TabulateTask>("tabulate", "Writes background, growth and P(k, z) tables of a model's fiducial cosmology");
}
