// The draws of a SampleSet as one matrix, for diagnostics that compare
// distributions: chains concatenated, importance weights (if any) turned into
// an equally weighted set by systematic resampling, then thinned evenly.
#pragma once

#include <Eigen/Core>

#include "orrery/random.hpp"
#include "orrery/sample_set.hpp"

namespace orrery::diagnostics {

/// At most `max_rows` rows (one draw per row) taken evenly from every chain's
/// draws; weighted chains are resampled first with `rng`. Throws Error for an
/// empty set or negative/non-finite weights.
Eigen::MatrixXd pooled_draws(const SampleSet& samples, Eigen::Index max_rows, RandomStream& rng);

}  // namespace orrery::diagnostics
