#include "calibration_tasks.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "calibration/coverage.hpp"
#include "calibration/sbc.hpp"
#include "calibration/table_writer.hpp"
#include "calibration/tarp.hpp"
#include "orrery/context.hpp"
#include "orrery/error.hpp"

namespace orrery::diagnostics {

namespace {

std::string format_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

}  // namespace

Schema CalibrationTask::common_options(std::int64_t default_draws) {
  using namespace orrery::option;
  return {reference("posterior", Kind::Sampler).required()
              .doc("the amortized posterior to check (e.g. \"@npe\"); it is prepared and run first"),
          integer("trials").default_value(200).min(2).doc("(θ, x) pairs drawn from the prior and the simulator"),
          integer("draws").default_value(default_draws).min(2).doc("posterior draws per trial")};
}

CalibrationTask::CalibrationTask(Context& ctx, bool with_densities)
    : posterior_(ctx.reference("posterior")),
      trials_(ctx.options().integer("trials")),
      draws_(ctx.options().integer("draws")),
      with_densities_(with_densities) {}

Report CalibrationTask::run(Context& ctx) {
  const AmortizedPosterior* posterior = amortized_posterior(posterior_);
  if (posterior == nullptr)
    throw Error("the component referenced by 'posterior' offers no amortized posterior (" +
                std::string(kAmortizedPosteriorExtension) +
                "): use a neural posterior estimator such as sbi.npe, whose q(θ | x) can be conditioned on any data");
  auto progress = ctx.progress("calibration trials", static_cast<std::uint64_t>(trials_));
  const PosteriorTrials trials =
      run_posterior_trials(*posterior, trials_, draws_, with_densities_, ctx.rng().split("trials"), ctx.executor(),
                           progress.get());
  Report report;
  report.add("trials", std::to_string(trials_));
  report.add("draws per trial", std::to_string(draws_));
  report.add("failed simulations (redrawn)", std::to_string(trials.failed_simulations));
  analyse(trials, posterior->space(), ctx, report);
  return report;
}

// ---------------------------------------------------------------- sbc

Schema SbcTask::options() {
  Schema schema = common_options(100);
  schema.push_back(option::integer("bins").default_value(20).min(2).doc("rank histogram bins"));
  return schema;
}

SbcTask::SbcTask(Context& ctx) : CalibrationTask(ctx, false), bins_(ctx.options().integer("bins")) {}

void SbcTask::analyse(const PosteriorTrials& trials, const ParameterSpace& space, Context& ctx, Report& report) {
  calibration::SbcOptions options;
  options.bins = bins_;
  const calibration::SbcResult r = calibration::sbc(trials.truths, trials.draws, ctx.rng().split("ties"), options);
  const std::vector<std::string> names = space.element_names();

  const std::string ranks_file = "sbc_" + ctx.name() + ".txt";
  calibration::write_table(ctx.output_dir() / ranks_file, names, r.ranks.cast<double>());
  std::vector<std::string> header{"bin", "expected"};
  header.insert(header.end(), names.begin(), names.end());
  Eigen::MatrixXd histogram(r.histogram.rows(), 2 + r.histogram.cols());
  for (Eigen::Index b = 0; b < r.histogram.rows(); ++b) histogram(b, 0) = static_cast<double>(b);
  histogram.col(1) = r.expected_count;
  histogram.rightCols(r.histogram.cols()) = r.histogram.cast<double>();
  const std::string histogram_file = "sbc_" + ctx.name() + "_histogram.txt";
  calibration::write_table(ctx.output_dir() / histogram_file, header, histogram);

  for (std::size_t j = 0; j < names.size(); ++j) {
    const auto k = static_cast<Eigen::Index>(j);
    std::string line = "KS p " + format_number(r.ks_pvalue(k));
    if (r.chi_square_pvalue.size() > 0) line += ", chi2 p " + format_number(r.chi_square_pvalue(k));
    report.add("ranks of " + names[j], line);
  }
  report.add("smallest KS p-value", r.ks_pvalue.minCoeff());
  report.files = {ranks_file, histogram_file};
}

// ---------------------------------------------------------------- coverage

Schema CoverageTask::options() {
  Schema schema = common_options(200);
  schema.push_back(option::integer("levels").default_value(21).min(2).doc("credibility levels on [0, 1]"));
  return schema;
}

CoverageTask::CoverageTask(Context& ctx) : CalibrationTask(ctx, true), levels_(ctx.options().integer("levels")) {}

void CoverageTask::analyse(const PosteriorTrials& trials, const ParameterSpace& /*space*/, Context& ctx,
                           Report& report) {
  const calibration::CoverageCurve c =
      calibration::expected_coverage(trials.log_q_truth, trials.log_q_draws, calibration::unit_grid(levels_));
  Eigen::MatrixXd table(c.nominal.size(), 4);
  table << c.nominal, c.empirical, c.standard_error, c.null_standard_error;
  const std::string file = "coverage_" + ctx.name() + ".txt";
  calibration::write_table(ctx.output_dir() / file, {"nominal", "empirical", "standard_error", "null_standard_error"},
                           table);
  Eigen::Index worst = 0;
  (c.empirical - c.nominal).cwiseAbs().maxCoeff(&worst);
  report.add("largest |empirical - nominal|", std::abs(c.empirical(worst) - c.nominal(worst)));
  report.add("at nominal", c.nominal(worst));
  double deviations = 0;  // levels more than 3 null standard errors off
  for (Eigen::Index k = 0; k < c.nominal.size(); ++k)
    if (c.null_standard_error(k) > 0 && std::abs(c.empirical(k) - c.nominal(k)) > 3 * c.null_standard_error(k))
      deviations += 1;
  report.add("levels off by more than 3 standard errors", std::to_string(static_cast<int>(deviations)));
  report.files = {file};
}

// ---------------------------------------------------------------- tarp

Schema TarpTask::options() {
  Schema schema = common_options(200);
  schema.push_back(option::integer("alpha_points").default_value(101).min(2).doc("credibility grid points"));
  return schema;
}

TarpTask::TarpTask(Context& ctx) : CalibrationTask(ctx, false), alpha_points_(ctx.options().integer("alpha_points")) {}

void TarpTask::analyse(const PosteriorTrials& trials, const ParameterSpace& /*space*/, Context& ctx, Report& report) {
  calibration::TarpOptions options;
  options.alpha_points = alpha_points_;
  const calibration::TarpResult r = calibration::tarp(trials.truths, trials.draws, ctx.rng().split("tarp"), options);
  Eigen::MatrixXd table(r.alpha.size(), 2);
  table << r.alpha, r.ecp;
  const std::string file = "tarp_" + ctx.name() + ".txt";
  calibration::write_table(ctx.output_dir() / file, {"alpha", "ecp"}, table);
  report.add("ATC (area between curve and diagonal)", r.atc);
  report.add("KS p-value of coverage values", r.ks_pvalue);
  report.files = {file};
}

}  // namespace orrery::diagnostics
