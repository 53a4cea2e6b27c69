// Calibration tasks of an amortized posterior (sbi.npe and any component
// offering orrery.amortized_posterior/1): each runs N trials
// (posterior_trials.hpp) and reduces them with the calibration library.
//
//   [components.sbc]
//   plugin = "diagnostics.sbc"        # or diagnostics.coverage, diagnostics.tarp
//   posterior = "@npe"
//   trials = 200                      # (θ, x) pairs from the prior and simulator
//   draws = 100                       # posterior draws per trial (L)
//
// diagnostics.sbc      ranks of θ_i among the L draws per parameter (Talts et al. 2018): writes
//                      sbc_<name>.txt (ranks) and sbc_<name>_histogram.txt; reports KS and χ² p-values.
// diagnostics.coverage expected coverage of highest-density regions: writes coverage_<name>.txt
//                      (nominal, empirical, standard error); reports the largest deviation.
// diagnostics.tarp     TARP expected coverage (Lemos et al. 2023): writes tarp_<name>.txt (alpha, ecp);
//                      reports ATC and the KS p-value.
// A calibrated posterior gives uniform ranks, empirical ≈ nominal coverage and
// an ECP curve on the diagonal.
#pragma once

#include <Eigen/Core>
#include <string>

#include "orrery/sampler.hpp"
#include "orrery/schema.hpp"
#include "orrery/task.hpp"
#include "posterior_trials.hpp"

namespace orrery::diagnostics {

/// What the three tasks share: options, the posterior reference, the trials.
class CalibrationTask : public Task {
 public:
  Report run(Context& ctx) final;

 protected:
  static Schema common_options(std::int64_t default_draws);
  explicit CalibrationTask(Context& ctx, bool with_densities);
  /// Reduces the trials, writes files into ctx.output_dir(), fills the report.
  virtual void analyse(const PosteriorTrials& trials, const ParameterSpace& space, Context& ctx, Report& report) = 0;

 private:
  Component& posterior_;
  Eigen::Index trials_, draws_;
  bool with_densities_;
};

class SbcTask final : public CalibrationTask {
 public:
  static Schema options();
  explicit SbcTask(Context& ctx);

 private:
  void analyse(const PosteriorTrials& trials, const ParameterSpace& space, Context& ctx, Report& report) override;
  Eigen::Index bins_;
};

class CoverageTask final : public CalibrationTask {
 public:
  static Schema options();
  explicit CoverageTask(Context& ctx);

 private:
  void analyse(const PosteriorTrials& trials, const ParameterSpace& space, Context& ctx, Report& report) override;
  Eigen::Index levels_;
};

class TarpTask final : public CalibrationTask {
 public:
  static Schema options();
  explicit TarpTask(Context& ctx);

 private:
  void analyse(const PosteriorTrials& trials, const ParameterSpace& space, Context& ctx, Report& report) override;
  Eigen::Index alpha_points_;
};

}  // namespace orrery::diagnostics
