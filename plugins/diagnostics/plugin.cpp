// Registers the diagnostics plugin's tasks.
#include <orrery/plugin.hpp>

#include "c2st_task.hpp"
#include "calibration_tasks.hpp"

ORRERY_DEFINE_PLUGIN("diagnostics", "0.1.0") {
  using namespace orrery::diagnostics;
  registry.add<C2stTask>("c2st",
                         "Classifier two-sample test (as sbibm computes it) of a sampler's draws against reference "
                         "draws; 0.5 means indistinguishable");
  registry.add<SbcTask>("sbc",
                        "Simulation-based calibration of an amortized posterior: rank histograms and KS / chi-square "
                        "p-values per parameter");
  registry.add<CoverageTask>("coverage",
                             "Expected coverage of an amortized posterior's highest-density regions against "
                             "nominal credibility");
  registry.add<TarpTask>("tarp", "TARP expected-coverage curve of an amortized posterior (Lemos et al. 2023)");
}
