// Registers the diagnostics plugin's tasks.
#include <orrery/plugin.hpp>

#include "c2st_task.hpp"

ORRERY_DEFINE_PLUGIN("diagnostics", "0.1.0") {
  using namespace orrery::diagnostics;
  registry.add<C2stTask>("c2st",
                         "Classifier two-sample test (as sbibm computes it) of a sampler's draws against reference "
                         "draws; 0.5 means indistinguishable");
}
