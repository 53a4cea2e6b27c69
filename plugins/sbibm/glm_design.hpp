// The fixed design of sbibm's bernoulli_glm task: the stimulus I and the
// 100 × 10 design matrix X, computed here rather than read from files.
//
// Stimulus: I_t, t = 0..99, is numpy's `RandomState(42).randn(100)` cast to
// float32, reproduced with numpy's legacy generator (MT19937 seeded by
// init_genrand(42); 53-bit doubles from two 32-bit words; Marsaglia polar
// normals, returning the second variate of each pair first). The tests check
// it against validation/sbibm/bernoulli_glm/stimulus_I.csv.
// Design: X[t, 0] = 1 and X[t, j + 1] = I[t - j] for t ≥ j (0 otherwise),
// j = 0..8, as in sbibm (checked against design_matrix.csv).
#pragma once

#include <Eigen/Core>

namespace orrery::sbibm {

inline constexpr int kGlmBins = 100;        ///< time bins (duration 100, step 1)
inline constexpr int kGlmParameters = 10;   ///< offset + 9 filter taps

using GlmStimulus = Eigen::Matrix<double, kGlmBins, 1>;
using GlmDesignMatrix = Eigen::Matrix<double, kGlmBins, kGlmParameters, Eigen::RowMajor>;

/// numpy.random.RandomState(seed).randn(n), as doubles, without the float32 cast.
Eigen::VectorXd numpy_legacy_randn(unsigned seed, int n);

/// The stimulus I (float32-rounded values of RandomState(42).randn(100)).
GlmStimulus glm_stimulus();

/// The design matrix X built from `stimulus`.
GlmDesignMatrix glm_design_matrix(const GlmStimulus& stimulus);

/// The design matrix of sbibm's task, computed once (thread-safe).
const GlmDesignMatrix& glm_design();

}  // namespace orrery::sbibm
