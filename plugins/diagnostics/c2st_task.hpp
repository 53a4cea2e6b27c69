// diagnostics.c2st: the classifier two-sample test of a sampler's draws
// against reference draws, as sbibm computes it (calibration/c2st.hpp).
//
//   [components.c2st]
//   plugin = "diagnostics.c2st"
//   samples = "@npe"                 # any Sampler: it runs first, this task reads its draws
//   reference = "reference.csv.bz2"  # one draw per row: .csv (header line) or .csv.bz2
//
// The sampler's chains are pooled (importance-weighted draws are resampled
// with their weights) and thinned evenly to at most `max_samples` draws; the
// reference is used whole. Writes c2st_<name>.txt (per-fold accuracies) and
// reports the mean held-out accuracy: 0.5 means indistinguishable, 1 means
// fully separated.
#pragma once

#include <Eigen/Core>

#include "orrery/sampler.hpp"
#include "orrery/schema.hpp"
#include "orrery/task.hpp"

namespace orrery::diagnostics {

class C2stTask final : public Task {
 public:
  static Schema options();
  explicit C2stTask(Context& ctx);
  Report run(Context& ctx) override;

 private:
  const Sampler& sampler_;
  Eigen::MatrixXd reference_;  // one draw per row
  Eigen::Index max_samples_;
  int folds_;
};

}  // namespace orrery::diagnostics
