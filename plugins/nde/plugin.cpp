// Registers the nde plugin's conditional density estimators.
#include <orrery/plugin.hpp>

#include "ensemble.hpp"
#include "gaussian_mixture.hpp"
#include "masked_autoregressive_flow.hpp"
#include "mixture_density_network.hpp"

ORRERY_DEFINE_PLUGIN("nde", "0.1.0") {
  using namespace orrery::nde;
  registry.add<MixtureDensityNetwork>("mdn",
                                      "Conditional mixture density network q(a|b) with full covariances "
                                      "(Cholesky-factored precisions), trained by maximum likelihood");
  registry.add<MaskedAutoregressiveFlow>("maf",
                                         "Conditional masked autoregressive flow: a stack of conditional MADE "
                                         "affine transforms with order reversals, trained by maximum likelihood");
  registry.add<GaussianMixture>("gmm",
                                "Classical baseline: a full-covariance Gaussian mixture fitted by EM (Armadillo) to "
                                "the joint (a, b) and conditioned analytically on b");
  registry.add<Ensemble>("ensemble",
                         "Weighted mixture of density estimators fitted on the same pairs, weighted by held-out "
                         "validation log-likelihood");
}
