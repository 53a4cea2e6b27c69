#include "lbfgs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace orrery::samplers {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

/// φ(α) = f(x + αp) and φ'(α) = ∇f(x + αp)·p at one trial step.
struct Trial {
  double alpha = 0.0;
  double value = kInf;
  double slope = 0.0;
  [[nodiscard]] bool finite() const { return std::isfinite(value) && std::isfinite(slope); }
};

/// The minimiser of the cubic through (a, fa, da) and (b, fb, db), or NaN if
/// it has none (N&W eq. 3.59).
double cubic_minimiser(const Trial& a, const Trial& b) {
  const double d1 = a.slope + b.slope - 3.0 * (a.value - b.value) / (a.alpha - b.alpha);
  const double discriminant = d1 * d1 - a.slope * b.slope;
  if (!(discriminant >= 0.0)) return std::numeric_limits<double>::quiet_NaN();
  const double d2 = std::copysign(std::sqrt(discriminant), b.alpha - a.alpha);
  return b.alpha - (b.alpha - a.alpha) * (b.slope + d2 - d1) / (b.slope - a.slope + 2.0 * d2);
}

/// Strong Wolfe line search along p from x (Nocedal & Wright Alg. 3.5/3.6).
/// Owns its scratch vectors, so a search allocates nothing.
class LineSearch {
 public:
  LineSearch(const Objective& f, const LbfgsOptions& options, Eigen::Index d)
      : f_(f), options_(options), x_trial_(d), g_trial_(d), x_lo_(d), g_lo_(d) {}

  /// Searches from (x, f0, slope0 = ∇f·p < 0). On success, returns true with
  /// the accepted point in x_new, f_new, g_new. A point meeting only the
  /// sufficient-decrease condition is accepted when the budget runs out.
  bool search(const Eigen::VectorXd& x, double f0, double slope0, const Eigen::VectorXd& p, double alpha,
              Eigen::VectorXd& x_new, double& f_new, Eigen::VectorXd& g_new, std::uint64_t& evaluations) {
    x_ = &x;
    p_ = &p;
    f0_ = f0;
    slope0_ = slope0;
    evaluations_ = &evaluations;
    budget_ = options_.max_line_search;
    have_lo_ = false;
    const bool found = bracket(alpha);
    const bool accepted = found || have_lo_;
    if (accepted) {
      x_new = found ? x_trial_ : x_lo_;
      g_new = found ? g_trial_ : g_lo_;
      f_new = found ? accepted_value_ : lo_.value;
    }
    return accepted;
  }

 private:
  Trial evaluate(double alpha) {
    --budget_;
    ++*evaluations_;
    x_trial_ = *x_ + alpha * *p_;
    Trial t;
    t.alpha = alpha;
    t.value = f_(x_trial_, g_trial_);
    t.slope = g_trial_.allFinite() ? g_trial_.dot(*p_) : std::numeric_limits<double>::quiet_NaN();
    if (std::isnan(t.value)) t.value = kInf;
    return t;
  }
  [[nodiscard]] bool sufficient_decrease(const Trial& t) const {
    return t.value <= f0_ + options_.c1 * t.alpha * slope0_;
  }
  [[nodiscard]] bool curvature(const Trial& t) const { return std::abs(t.slope) <= -options_.c2 * slope0_; }
  /// Records t (whose point is in the trial buffers) as the best acceptable point so far.
  void keep_lo(const Trial& t) {
    lo_ = t;
    x_lo_ = x_trial_;
    g_lo_ = g_trial_;
    have_lo_ = true;
  }
  bool accept(const Trial& t) {
    accepted_value_ = t.value;
    return true;
  }
  /// True when [a, b] no longer moves x in floating point.
  [[nodiscard]] bool negligible(double a, double b) const {
    return std::abs(b - a) * p_->lpNorm<Eigen::Infinity>() <= kEpsilon * std::max(1.0, x_->lpNorm<Eigen::Infinity>());
  }

  /// Phase 1: grow the step until an interval is known to hold a Wolfe point.
  bool bracket(double alpha) {
    Trial previous{0.0, f0_, slope0_};
    double alpha_max = kInf;  // smallest step known to leave the domain
    while (budget_ > 0) {
      const Trial t = evaluate(alpha);
      if (!t.finite()) {  // step too long: back off towards the last good step
        alpha_max = alpha;
        alpha = previous.alpha + 0.1 * (alpha - previous.alpha);
        if (negligible(previous.alpha, alpha)) return false;
        continue;
      }
      if (!sufficient_decrease(t) || (previous.alpha > 0.0 && t.value >= previous.value)) return zoom(previous, t);
      if (curvature(t)) return accept(t);
      keep_lo(t);
      if (t.slope >= 0.0) return zoom(t, previous);
      previous = t;
      alpha = std::isfinite(alpha_max) ? std::min(4.0 * alpha, 0.5 * (alpha + alpha_max)) : 4.0 * alpha;
    }
    return false;
  }

  /// Phase 2: shrink [lo, hi] (lo: lowest value so far, satisfying sufficient
  /// decrease; the slope at lo points towards hi) until a Wolfe point is hit.
  bool zoom(Trial lo, Trial hi) {
    while (budget_ > 0 && !negligible(lo.alpha, hi.alpha)) {
      const double width = hi.alpha - lo.alpha;
      double alpha = 0.5 * (lo.alpha + hi.alpha);
      if (hi.finite()) {
        const double cubic = cubic_minimiser(lo, hi);
        // Keep the new step well inside the interval, so it shrinks by a fixed fraction.
        const double near = lo.alpha + 0.1 * width, far = hi.alpha - 0.1 * width;
        if (std::isfinite(cubic)) alpha = std::clamp(cubic, std::min(near, far), std::max(near, far));
      }
      const Trial t = evaluate(alpha);
      if (!t.finite() || !sufficient_decrease(t) || t.value >= lo.value) {
        hi = t;
        continue;
      }
      if (curvature(t)) return accept(t);
      if (t.slope * (hi.alpha - lo.alpha) >= 0.0) hi = lo;
      lo = t;
      keep_lo(t);
    }
    return false;
  }

  const Objective& f_;
  const LbfgsOptions& options_;
  Eigen::VectorXd x_trial_, g_trial_, x_lo_, g_lo_;
  const Eigen::VectorXd* x_ = nullptr;
  const Eigen::VectorXd* p_ = nullptr;
  double f0_ = 0.0, slope0_ = 0.0, accepted_value_ = 0.0;
  std::uint64_t* evaluations_ = nullptr;
  int budget_ = 0;
  Trial lo_;
  bool have_lo_ = false;
};

/// The last m pairs s = Δx, y = Δ∇f in a ring, and the two-loop recursion.
class InverseHessian {
 public:
  InverseHessian(Eigen::Index d, int m) : s_(d, m), y_(d, m), rho_(m), a_(m) {}

  void clear() { count_ = 0; }
  [[nodiscard]] int size() const { return count_; }

  /// Stores the pair unless its curvature sᵀy is not clearly positive.
  void push(const Eigen::VectorXd& s, const Eigen::VectorXd& y) {
    const double sy = s.dot(y);
    if (!(sy > kEpsilon * s.norm() * y.norm()) || !std::isfinite(sy)) return;
    const int m = static_cast<int>(s_.cols());
    newest_ = (newest_ + 1) % m;
    s_.col(newest_) = s;
    y_.col(newest_) = y;
    rho_[newest_] = 1.0 / sy;
    gamma_ = sy / y.squaredNorm();
    count_ = std::min(count_ + 1, m);
  }

  /// direction = -H g.
  void direction(const Eigen::VectorXd& g, Eigen::VectorXd& direction) {
    const int m = static_cast<int>(s_.cols());
    direction = g;
    for (int k = 0; k < count_; ++k) {  // newest to oldest
      const int i = (newest_ - k + m) % m;
      a_[i] = rho_[i] * s_.col(i).dot(direction);
      direction -= a_[i] * y_.col(i);
    }
    direction *= gamma_;
    for (int k = count_ - 1; k >= 0; --k) {  // oldest to newest
      const int i = (newest_ - k + m) % m;
      const double b = rho_[i] * y_.col(i).dot(direction);
      direction += (a_[i] - b) * s_.col(i);
    }
    direction = -direction;
  }

 private:
  Eigen::MatrixXd s_, y_;
  Eigen::VectorXd rho_, a_;
  int newest_ = -1;
  int count_ = 0;
  double gamma_ = 1.0;
};

}  // namespace

OptimiserResult minimise_lbfgs(const Objective& f, const Eigen::VectorXd& x0, const LbfgsOptions& options,
                               const std::function<void()>& on_iteration) {
  const Eigen::Index d = x0.size();
  OptimiserResult result = OptimiserResult::start(f, x0);
  if (result.reason == StopReason::NonFinite) return result;

  InverseHessian memory(d, std::max(1, options.history));
  LineSearch line_search(f, options, d);
  Eigen::VectorXd p(d), x_new(d), g_new(d), s(d), y(d);
  Eigen::VectorXd& x = result.x;
  Eigen::VectorXd& g = result.gradient;

  while (true) {
    if (g.lpNorm<Eigen::Infinity>() <= options.gradient_tolerance) {
      result.reason = StopReason::GradientTolerance;
      break;
    }
    if (result.iterations >= options.max_iterations) {
      result.reason = StopReason::MaxIterations;
      break;
    }
    double alpha = 1.0;
    if (memory.size() > 0) memory.direction(g, p);
    double slope = memory.size() > 0 ? g.dot(p) : 0.0;
    if (!(slope < 0.0)) {  // no memory yet, or a direction that is not downhill
      memory.clear();
      p = -g;
      slope = -g.squaredNorm();
      alpha = std::min(1.0, 1.0 / std::sqrt(-slope));  // first step of unit length at most
    }
    double f_new = result.value;
    if (!line_search.search(x, result.value, slope, p, alpha, x_new, f_new, g_new, result.evaluations)) {
      if (memory.size() > 0) {  // retry along the steepest descent
        memory.clear();
        continue;
      }
      result.reason = StopReason::LineSearchFailed;
      break;
    }
    s = x_new - x;
    y = g_new - g;
    memory.push(s, y);
    const double f_old = result.value;
    x.swap(x_new);
    g.swap(g_new);
    result.value = f_new;
    ++result.iterations;
    if (on_iteration) on_iteration();
    if (g.lpNorm<Eigen::Infinity>() <= options.gradient_tolerance) {
      result.reason = StopReason::GradientTolerance;
      break;
    }
    if (f_old - result.value <= options.function_tolerance * std::max({std::abs(f_old), std::abs(result.value), 1.0})) {
      result.reason = StopReason::FunctionTolerance;
      break;
    }
  }
  return result;
}

}  // namespace orrery::samplers
