#include "map_task.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <vector>

#include <orrery/unconstrained.hpp>

#include "laplace.hpp"
#include "map_output.hpp"
#include "metric_adaptation.hpp"  // count_option, format_real

namespace orrery::samplers {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
constexpr std::uint64_t kDefaultLbfgsIterations = 1000;
constexpr std::uint64_t kDefaultAdamIterations = 10000;
constexpr std::uint64_t kProgressBatch = 50;
/// A Newton step |f'/f''| in u beyond this, towards a bound, means f has no stationary point there.
constexpr double kBoundNewtonStep = 0.25;

using orrery::UnconstrainedTarget;

/// Per flat element: the block's bounds.
struct ElementBounds {
  Eigen::VectorXd lower, upper;
  [[nodiscard]] bool bounded(Eigen::Index j) const { return std::isfinite(lower[j]) || std::isfinite(upper[j]); }
};

ElementBounds element_bounds(const orrery::ParameterSpace& space) {
  const auto d = static_cast<Eigen::Index>(space.dimension());
  ElementBounds b{Eigen::VectorXd(d), Eigen::VectorXd(d)};
  for (const orrery::ParameterBlock& block : space.blocks())
    for (std::size_t k = block.offset; k < block.offset + block.size(); ++k) {
      b.lower[static_cast<Eigen::Index>(k)] = block.lower;
      b.upper[static_cast<Eigen::Index>(k)] = block.upper;
    }
  return b;
}

/// f(u) = -log p(x(u)) with the analytic gradient; counts target evaluations.
Objective analytic_objective(const UnconstrainedTarget& target, std::uint64_t& evaluations) {
  return [&target, &evaluations](const Eigen::VectorXd& u, Eigen::VectorXd& grad) {
    ++evaluations;
    const double lp = target.log_density_gradient(u, grad);
    grad = -grad;
    return -lp;
  };
}

/// f(u) = -log p(x(u)) with a central finite-difference gradient, step
/// ∛ε·max(|u_j|, scale_j); one-sided where one side is not finite.
Objective finite_difference_objective(const UnconstrainedTarget& target, Eigen::VectorXd scale,
                                      std::uint64_t& evaluations) {
  const double relative_step = std::cbrt(kEpsilon);
  return [&target, &evaluations, scale = std::move(scale), relative_step,
          shifted = Eigen::VectorXd()](const Eigen::VectorXd& u, Eigen::VectorXd& grad) mutable {
    ++evaluations;
    const double f0 = -target.log_density(u);
    if (!std::isfinite(f0)) {
      grad.setConstant(kNaN);
      return f0;
    }
    shifted = u;
    for (Eigen::Index j = 0; j < u.size(); ++j) {
      const double h = relative_step * std::max(std::abs(u[j]), scale[j]);
      shifted[j] = u[j] + h;
      const double h_plus = shifted[j] - u[j];  // the steps actually taken in floating point
      const double f_plus = -target.log_density(shifted);
      shifted[j] = u[j] - h;
      const double h_minus = u[j] - shifted[j];
      const double f_minus = -target.log_density(shifted);
      shifted[j] = u[j];
      evaluations += 2;
      if (std::isfinite(f_plus) && std::isfinite(f_minus))
        grad[j] = (f_plus - f_minus) / (h_plus + h_minus);
      else if (std::isfinite(f_plus))
        grad[j] = (f_plus - f0) / h_plus;
      else if (std::isfinite(f_minus))
        grad[j] = (f0 - f_minus) / h_minus;
      else
        grad[j] = kNaN;
    }
    return f0;
  };
}

/// The bounded parameters whose optimum is at a bound: f(u) has no
/// stationary point along u_j (see map_task.hpp). `gradient` is ∇f(u).
std::vector<BoundHit> bounds_reached(const UnconstrainedTarget& target, const ElementBounds& bounds,
                                     const Eigen::VectorXd& u, const Eigen::VectorXd& x, double f0,
                                     const Eigen::VectorXd& gradient, double gradient_tolerance,
                                     orrery::Executor& executor) {
  const auto d = static_cast<std::size_t>(u.size());
  std::vector<int> side(d, 0);  // -1 lower, +1 upper, 0 interior
  executor.parallel_for(d, [&](std::size_t k) {
    const auto j = static_cast<Eigen::Index>(k);
    if (!bounds.bounded(j)) return;
    Eigen::VectorXd shifted = u;
    double curvature = kNaN, noise = 0.0;
    for (double h = 1.0; h >= 1e-3 && !std::isfinite(curvature); h *= 0.1) {
      shifted[j] = u[j] + h;
      const double f_plus = -target.log_density(shifted);
      shifted[j] = u[j] - h;
      const double f_minus = -target.log_density(shifted);
      if (!std::isfinite(f_plus) || !std::isfinite(f_minus)) continue;
      curvature = (f_plus + f_minus - 2.0 * f0) / (h * h);
      noise = 1e3 * kEpsilon * (std::abs(f_plus) + std::abs(f_minus) + 2.0 * std::abs(f0)) / (h * h);
    }
    // Where f keeps decreasing along u_j: the Newton step -f'/f'' if the
    // curvature is resolved and positive; else the downhill direction if the
    // slope is clearly non-zero (f ≈ a + b·u, a density unbounded at the
    // bound); else, if u ± 1e-3 both leave the domain, the bound is reached in
    // floating point.
    double step = 0.0;
    if (std::isfinite(curvature) && curvature > noise)
      step = -gradient[j] / curvature;
    else if (std::isfinite(curvature) && std::abs(gradient[j]) > gradient_tolerance)
      step = gradient[j] > 0.0 ? -kInf : kInf;
    else if (!std::isfinite(curvature))
      step = gradient[j] != 0.0 ? (gradient[j] > 0.0 ? -kInf : kInf) : (u[j] > 0.0 ? kInf : -kInf);
    if (!(std::abs(step) > kBoundNewtonStep)) return;
    // x → lower as u → -∞ for [a, b] and [a, ∞); x → upper as u → -∞ for (-∞, b].
    const bool has_lower = std::isfinite(bounds.lower[j]), has_upper = std::isfinite(bounds.upper[j]);
    if (has_lower && has_upper)
      side[k] = step < 0.0 ? -1 : 1;
    else if (step < 0.0)
      side[k] = has_lower ? -1 : 1;
  });
  std::vector<BoundHit> hits;
  for (std::size_t k = 0; k < d; ++k) {
    if (side[k] == 0) continue;
    const auto j = static_cast<Eigen::Index>(k);
    BoundHit hit;
    hit.index = j;
    hit.upper = side[k] > 0;
    hit.bound = hit.upper ? bounds.upper[j] : bounds.lower[j];
    hit.distance = std::abs(x[j] - hit.bound);
    hits.push_back(hit);
  }
  return hits;
}

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void require_positive(const orrery::Options& options, std::string_view key, double value) {
  if (!(std::isfinite(value) && value > 0.0))
    options.error(key, "must be finite and > 0, found " + format_real(value));
}

void require_unit_interval(const orrery::Options& options, std::string_view key, double value) {
  if (!(value >= 0.0 && value < 1.0)) options.error(key, "must lie in [0, 1), found " + format_real(value));
}

}  // namespace

orrery::Schema MapTask::options() {
  using namespace orrery::option;
  return {
      reference("target", orrery::Kind::Target).default_value("@posterior").doc("the density to maximise"),
      string("method").default_value("lbfgs").choices({"lbfgs", "adam"}).doc("optimiser: lbfgs (L-BFGS with a strong Wolfe line search) or adam (Adam, for noisy or very large problems)"),
      integer("starts").default_value(4).min(1).doc("independent starts from the target's initial points; the highest optimum wins"),
      integer("max_iterations").min(1).doc("iterations per start; default 1000 for lbfgs, 10000 for adam"),
      real("gradient_tolerance").default_value(1e-6).greater_than(0.0).doc("converged when the largest gradient component of -log p (in the unconstrained coordinates) is at most this"),
      real("function_tolerance").default_value(1e-12).greater_than(0.0).doc("lbfgs: converged when one iteration lowers -log p by at most this times max(|log p|, 1)"),
      integer("history").default_value(10).range(1, 1000).doc("lbfgs: number of correction pairs kept (m)"),
      real("learning_rate").default_value(0.01).greater_than(0.0).doc("adam: step size alpha (about the largest move per coordinate and step, in unconstrained coordinates)"),
      real("beta1").default_value(0.9).min(0.0).less_than(1.0).doc("adam: decay rate of the first-moment estimate"),
      real("beta2").default_value(0.999).min(0.0).less_than(1.0).doc("adam: decay rate of the second-moment estimate"),
      real("agreement_tolerance").default_value(1e-3).greater_than(0.0).doc("starts agree when their optimal log densities differ from the best by at most this"),
      boolean("laplace").default_value(true).doc("compute the Laplace covariance (inverse Hessian of -log p) at the optimum"),
  };
}

MapTask::MapTask(orrery::Context& ctx) : name_(ctx.name()), target_(&ctx.ref<orrery::Target>("target")) {
  const orrery::Options& options = ctx.options();
  const std::string& method = options.string("method");
  if (method == "lbfgs")
    method_ = Method::Lbfgs;
  else if (method == "adam")
    method_ = Method::Adam;
  else
    options.error("method", "must be \"lbfgs\" or \"adam\", found \"" + method + "\"");
  starts_ = count_option(options, "starts", 1);

  const std::uint64_t iterations =
      options.has("max_iterations") ? count_option(options, "max_iterations", 1)
                                    : (method_ == Method::Lbfgs ? kDefaultLbfgsIterations : kDefaultAdamIterations);
  const double gradient_tolerance = options.real("gradient_tolerance");
  require_positive(options, "gradient_tolerance", gradient_tolerance);

  lbfgs_.max_iterations = iterations;
  lbfgs_.gradient_tolerance = gradient_tolerance;
  lbfgs_.function_tolerance = options.real("function_tolerance");
  require_positive(options, "function_tolerance", lbfgs_.function_tolerance);
  const std::uint64_t history = count_option(options, "history", 1);
  if (history > 1000) options.error("history", "must be at most 1000, found " + std::to_string(history));
  lbfgs_.history = static_cast<int>(history);

  adam_.max_iterations = iterations;
  adam_.gradient_tolerance = gradient_tolerance;
  adam_.learning_rate = options.real("learning_rate");
  require_positive(options, "learning_rate", adam_.learning_rate);
  adam_.beta1 = options.real("beta1");
  require_unit_interval(options, "beta1", adam_.beta1);
  adam_.beta2 = options.real("beta2");
  require_unit_interval(options, "beta2", adam_.beta2);

  agreement_tolerance_ = options.real("agreement_tolerance");
  require_positive(options, "agreement_tolerance", agreement_tolerance_);
  laplace_ = options.boolean("laplace");

  const std::size_t d = target_->space().dimension();
  if (d == 0) options.error("target", "the target has no free parameters to optimise");
  if (laplace_ && d > kMaxLaplaceDimension)
    options.error("laplace", "the target has " + std::to_string(d) + " parameters; a dense Hessian is refused above " +
                                 std::to_string(kMaxLaplaceDimension) + " (set laplace = false)");
}

orrery::Report MapTask::run(orrery::Context& ctx) {
  const orrery::Target& target = *target_;
  const UnconstrainedTarget unconstrained(target, UnconstrainedTarget::Jacobian::Exclude);
  const ElementBounds bounds = element_bounds(target.space());
  const auto d = static_cast<Eigen::Index>(target.space().dimension());
  const bool analytic = target.has_gradient();
  const std::uint64_t iterations = method_ == Method::Lbfgs ? lbfgs_.max_iterations : adam_.max_iterations;

  std::vector<orrery::RandomStream> streams;
  for (std::uint64_t i = 0; i < starts_; ++i) streams.push_back(ctx.rng().split(i));
  const std::unique_ptr<orrery::Progress> progress = ctx.progress("map", starts_ * iterations);

  // Each start writes only its own slots: the result is the same for any thread count.
  std::vector<MapStart> starts(starts_);
  std::vector<Eigen::VectorXd> optima_u(starts_);
  std::vector<Eigen::VectorXd> gradients_u(starts_);
  ctx.executor().parallel_for(starts_, [&](std::size_t i) {
    MapStart& start = starts[i];
    orrery::RandomStream& rng = streams[i];
    Eigen::VectorXd u0(d), grad(d);
    std::uint64_t evaluations = 0;
    bool found = false;
    for (int attempt = 0; attempt < kMaxInitialAttempts && !found; ++attempt) {
      unconstrained.initial_point(rng, u0);
      ++evaluations;
      const double lp = analytic ? unconstrained.log_density_gradient(u0, grad) : unconstrained.log_density(u0);
      found = std::isfinite(lp) && (!analytic || grad.allFinite());
    }
    if (!found)
      throw orrery::Error("map '" + name_ + "', start " + std::to_string(i) + ": the target's log density" +
                          (analytic ? " (or its gradient)" : "") + " was not finite at any of " +
                          std::to_string(kMaxInitialAttempts) +
                          " initial points; is it -infinity everywhere, or do its initial points lie outside "
                          "its support?");

    Eigen::VectorXd scale = Eigen::VectorXd::Ones(d);  // finite-difference scales (see map_task.hpp)
    for (Eigen::Index j = 0; j < d; ++j)
      if (!bounds.bounded(j) && u0[j] != 0.0) scale[j] = std::abs(u0[j]);
    const Objective f = analytic ? analytic_objective(unconstrained, evaluations)
                                 : finite_difference_objective(unconstrained, scale, evaluations);
    std::uint64_t unreported = 0;
    const auto on_iteration = [&] {
      if (++unreported == kProgressBatch) {
        progress->advance(unreported);
        unreported = 0;
      }
    };
    const OptimiserResult r = method_ == Method::Lbfgs ? minimise_lbfgs(f, u0, lbfgs_, on_iteration)
                                                       : minimise_adam(f, u0, adam_, on_iteration);
    progress->advance(unreported + (iterations - std::min(iterations, r.iterations)));

    start.reason = r.reason;
    start.iterations = r.iterations;
    start.gradient_norm = r.gradient.lpNorm<Eigen::Infinity>();
    start.x.resize(d);
    unconstrained.to_constrained(r.x, start.x);
    start.log_density = std::isfinite(r.value) ? -r.value : -kInf;
    start.evaluations = evaluations;
    optima_u[i] = r.x;
    gradients_u[i] = r.gradient;
  });

  MapOutcome outcome;
  outcome.method = method_ == Method::Lbfgs ? "lbfgs" : "adam";
  outcome.gradient = analytic ? "analytic" : "finite differences";
  outcome.names = target.space().element_names();
  outcome.agreement_tolerance = agreement_tolerance_;
  for (std::size_t i = 1; i < starts.size(); ++i)
    if (starts[i].log_density > starts[outcome.best].log_density) outcome.best = i;
  const double best_log_density = starts[outcome.best].log_density;
  if (!std::isfinite(best_log_density))
    throw orrery::Error("map '" + name_ + "': no start reached a point of finite log density");
  for (MapStart& s : starts) {
    s.agrees = std::abs(s.log_density - best_log_density) <= agreement_tolerance_;
    outcome.agreeing += s.agrees ? 1 : 0;
  }
  const MapStart& best = starts[outcome.best];

  outcome.at_bound = bounds_reached(unconstrained, bounds, optima_u[outcome.best], best.x, -best_log_density,
                                    gradients_u[outcome.best], lbfgs_.gradient_tolerance, ctx.executor());

  if (!laplace_) {
    outcome.laplace_status = "not computed (laplace = false)";
  } else if (!outcome.at_bound.empty()) {
    outcome.laplace_status = "not computed: the optimum is at a bound";
  } else {
    outcome.laplace = laplace_approximation(target, best.x, ctx.executor());
    outcome.laplace_status = describe(*outcome.laplace);
  }
  const bool positive_definite =
      outcome.laplace && outcome.laplace->status == LaplaceResult::Status::PositiveDefinite;

  if (!outcome.at_bound.empty())
    outcome.status = "at bound";
  else if (!converged(best.reason))
    outcome.status = stop_label(best.reason);
  else if (laplace_ && outcome.laplace->status == LaplaceResult::Status::NotPositiveDefinite)
    outcome.status = "not positive definite";
  else if (laplace_ && !positive_definite)
    outcome.status = "Hessian not finite";
  else
    outcome.status = "converged";
  outcome.starts = std::move(starts);

  const std::filesystem::path dir = ctx.output_dir();
  orrery::Report report;
  write_map_json(dir, outcome);
  report.files.push_back("map.json");
  if (positive_definite) {
    write_covariance(dir, outcome.names, outcome.laplace->covariance);
    report.files.push_back("map_covariance.txt");
  }

  const MapStart& winner = outcome.starts[outcome.best];
  std::uint64_t evaluations = 0;
  for (const MapStart& s : outcome.starts) evaluations += s.evaluations;
  report.add("status", outcome.status);
  report.add("method", method_ == Method::Lbfgs ? "L-BFGS (history " + std::to_string(lbfgs_.history) + ")"
                                                : "Adam (learning rate " + short_number(adam_.learning_rate) + ")");
  report.add("gradient", analytic ? "analytic" : "central finite differences (the target has no gradient)");
  report.add("optimiser", stop_label(winner.reason) + ", |grad|_inf = " + short_number(winner.gradient_norm) +
                              " (start " + std::to_string(outcome.best) + ")");
  report.add("log density", winner.log_density);
  report.add("iterations", std::to_string(winner.iterations));
  report.add("evaluations", std::to_string(evaluations));
  report.add("starts agreeing", std::to_string(outcome.agreeing) + " of " + std::to_string(starts_) +
                                    " (|delta log p| <= " + short_number(agreement_tolerance_) + ")");
  if (!outcome.at_bound.empty()) {  // one entry: the summary's JSON keeps one value per label
    std::string hits;
    for (const BoundHit& b : outcome.at_bound)
      hits += (hits.empty() ? "" : "; ") + outcome.names[static_cast<std::size_t>(b.index)] + " at its " +
              (b.upper ? "upper" : "lower") + " bound " + short_number(b.bound) + " (distance " +
              short_number(b.distance) + ")";
    report.add("at bound", hits);
  }
  report.add("laplace", outcome.laplace_status);
  if (outcome.laplace) report.add("laplace evaluations", std::to_string(outcome.laplace->evaluations));
  const std::size_t shown = std::min(outcome.names.size(), kMaxReportedParameters);
  for (std::size_t k = 0; k < shown; ++k) {
    const auto j = static_cast<Eigen::Index>(k);
    std::string value = short_number(winner.x[j]);
    if (positive_definite) value += " +/- " + short_number(std::sqrt(outcome.laplace->covariance(j, j)));
    report.add("best fit " + outcome.names[k], value);
  }
  if (shown < outcome.names.size())
    report.add("...", std::to_string(outcome.names.size() - shown) + " more parameters in map.json");
  return report;
}

}  // namespace orrery::samplers
