#include "chain_driver.hpp"

#include <cmath>

#include <orrery/diagnostics.hpp>

#include "metric_adaptation.hpp"

namespace orrery::samplers {

orrery::Schema RunLength::options() {
  using namespace orrery::option;
  return {boolean("until_converged").default_value(false).doc("stop once every parameter has R-hat below target_rhat and bulk and tail ESS of at least target_ess (steps is then the most draws per chain)"),
          real("target_rhat").default_value(1.01).greater_than(1.0).doc("rank-normalised split R-hat (bulk and tail) to reach with until_converged"),
          real("target_ess").default_value(400.0).greater_than(0.0).doc("bulk and tail ESS, summed over chains, to reach with until_converged"),
          integer("check_every").default_value(100).min(1).doc("draws per chain between convergence checks (and checkpoint opportunities)")};
}

RunLength RunLength::read(const orrery::Options& options) {
  RunLength length;
  length.steps = count_option(options, "steps", 1);
  length.warmup = count_option(options, "warmup", 0);
  length.until_converged = options.boolean("until_converged");
  length.target_rhat = options.real("target_rhat");
  if (!(length.target_rhat > 1.0))
    options.error("target_rhat", "must be greater than 1, found " + format_real(length.target_rhat));
  length.target_ess = options.real("target_ess");
  if (!(length.target_ess > 0.0))
    options.error("target_ess", "must be positive, found " + format_real(length.target_ess));
  length.check_every = count_option(options, "check_every", 1);
  return length;
}

bool converged(const std::vector<const DrawStore*>& chains, const RunLength& length) {
  if (chains.empty() || chains.front()->rows() < 4) return false;
  const Eigen::Index dimension = chains.front()->dimension();
  orrery::diagnostics::Chains series(chains.size());
  for (Eigen::Index j = 0; j < dimension; ++j) {
    for (std::size_t c = 0; c < chains.size(); ++c) series[c] = chains[c]->column(j);
    // Cheapest first: most checks fail on R-hat early in a run.
    if (!(orrery::diagnostics::rhat(series) < length.target_rhat)) return false;
    if (!(orrery::diagnostics::ess_bulk(series) >= length.target_ess)) return false;
    if (!(orrery::diagnostics::ess_tail(series) >= length.target_ess)) return false;
  }
  return true;
}

void append_run_statistics(orrery::SampleSet& set, const DriveResult& driven, const RunLength& length) {
  if (!length.until_converged) return;
  set.statistics.emplace_back("converged", driven.converged ? 1.0 : 0.0);
  set.statistics.emplace_back("draws_per_chain", static_cast<double>(driven.draws));
}

}  // namespace orrery::samplers
