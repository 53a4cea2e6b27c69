#include "c2st_task.hpp"

#include <cstdio>
#include <string>

#include "calibration/c2st.hpp"
#include "calibration/table_writer.hpp"
#include "orrery/context.hpp"
#include "orrery/error.hpp"
#include "orrery/sample_sets.hpp"
#include "pooled_draws.hpp"
#include "sample_file.hpp"

namespace orrery::diagnostics {

Schema C2stTask::options() {
  using namespace orrery::option;
  return {reference("samples", Kind::Sampler).required()
              .doc("the sampler whose draws are tested (it runs before this task)"),
          file("reference").required().doc("reference draws, one per row: .csv with a header line, or .csv.bz2"),
          integer("max_samples").default_value(10000).min(10)
              .doc("the sampler's draws are thinned evenly to at most this many"),
          integer("folds").default_value(5).min(2).doc("cross-validation folds")};
}

C2stTask::C2stTask(Context& ctx)
    : sampler_(ctx.ref<Sampler>("samples")),
      max_samples_(ctx.options().integer("max_samples")),
      folds_(static_cast<int>(ctx.options().integer("folds"))) {
  const Options& o = ctx.options();
  try {
    reference_ = read_sample_file(o.string("reference"));
  } catch (const Error& e) {
    o.error("reference", e.what());
  }
  const std::size_t dim = sampler_.target().space().dimension();
  if (static_cast<std::size_t>(reference_.cols()) != dim)
    o.error("reference", "the reference draws have " + std::to_string(reference_.cols()) +
                             " columns but the sampler's target has " + std::to_string(dim) + " parameters");
  if (reference_.rows() < folds_)
    o.error("reference", "needs at least " + std::to_string(folds_) + " draws (one per fold), found " +
                             std::to_string(reference_.rows()));
}

Report C2stTask::run(Context& ctx) {
  const SampleSets* sets = sample_sets(ctx);
  const SampleSet* samples = sets ? sets->of(sampler_) : nullptr;
  if (samples == nullptr)
    throw Error("the sampler referenced by 'samples' has not run in this run (run the analysis without --only, "
                "or include the sampler)");
  RandomStream rng = ctx.rng();
  const Eigen::MatrixXd draws = pooled_draws(*samples, max_samples_, rng);
  calibration::C2stOptions options;
  options.folds = folds_;
  options.parallel_for = [&ctx](std::size_t n, const std::function<void(std::size_t)>& body) {
    ctx.executor().parallel_for(n, body);
  };
  const calibration::C2stResult result = calibration::c2st(reference_, draws, rng.split("c2st"), options);

  const std::string file = "c2st_" + ctx.name() + ".txt";
  Eigen::MatrixXd table(static_cast<Eigen::Index>(result.fold_accuracy.size()), 3);
  for (std::size_t f = 0; f < result.fold_accuracy.size(); ++f) {
    const auto r = static_cast<Eigen::Index>(f);
    table(r, 0) = static_cast<double>(f + 1);
    table(r, 1) = result.fold_accuracy[f];
    table(r, 2) = static_cast<double>(result.fold_epochs[f]);
  }
  calibration::write_table(ctx.output_dir() / file, {"fold", "accuracy", "epochs"}, table);

  Report report;
  report.add("c2st", result.accuracy);
  report.add("draws", std::to_string(draws.rows()));
  report.add("reference draws", std::to_string(reference_.rows()));
  double lo = 1.0, hi = 0.0;
  for (double a : result.fold_accuracy) {
    lo = std::min(lo, a);
    hi = std::max(hi, a);
  }
  char range[64];
  std::snprintf(range, sizeof range, "%.4f to %.4f", lo, hi);
  report.add("fold accuracies", range);
  report.files.push_back(file);
  ctx.logger().info("C2ST " + std::to_string(result.accuracy) + " (0.5: indistinguishable from the reference)");
  return report;
}

}  // namespace orrery::diagnostics
