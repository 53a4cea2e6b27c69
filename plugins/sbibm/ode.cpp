#include "ode.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

namespace orrery::sbibm {
namespace {

// Dormand–Prince 5(4) tableau (Hairer, Nørsett & Wanner, Table II.5.2).
constexpr double c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9;
constexpr double a21 = 1.0 / 5;
constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561, a54 = -212.0 / 729;
constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176,
                 a65 = -5103.0 / 18656;
// 5th-order weights (also the last stage's row: first same as last).
constexpr double b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784, b6 = 11.0 / 84;
// Differences between the 5th- and 4th-order weights: the local error estimate.
constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920, e5 = -17253.0 / 339200,
                 e6 = 22.0 / 525, e7 = -1.0 / 40;

// Step-size controller: h_new = h · clamp(safety · err^(-1/5), min, max).
constexpr double kSafety = 0.9;
constexpr double kFactorMin = 0.2;
constexpr double kFactorMax = 10.0;

/// Working vectors of one solve; one set per thread, grown on demand.
struct Workspace {
  Eigen::VectorXd y, y_new, y_stage, k1, k2, k3, k4, k5, k6, k7, err;
  bool busy = false;

  void resize(Eigen::Index n) {
    if (y.size() == n) return;
    for (Eigen::VectorXd* v : {&y, &y_new, &y_stage, &k1, &k2, &k3, &k4, &k5, &k6, &k7, &err}) v->resize(n);
  }
};

/// Marks the thread's workspace busy for one solve (re-entrant calls are refused).
class WorkspaceLease {
 public:
  explicit WorkspaceLease(Workspace& ws) : ws_(ws) {
    if (ws_.busy) throw orrery::Error("solve_dopri5: called from inside its own right-hand side");
    ws_.busy = true;
  }
  ~WorkspaceLease() { ws_.busy = false; }
  WorkspaceLease(const WorkspaceLease&) = delete;
  WorkspaceLease& operator=(const WorkspaceLease&) = delete;

 private:
  Workspace& ws_;
};

std::string number(double x) {
  std::ostringstream s;
  s.precision(10);
  s << x;
  return s.str();
}

/// RMS of v_i / (atol + rtol·|scale_i|).
double scaled_rms(const Eigen::VectorXd& v, const Eigen::VectorXd& scale, const OdeOptions& o) {
  return std::sqrt(
      (v.array() / (o.atol + o.rtol * scale.array().abs())).square().sum() / static_cast<double>(v.size()));
}

/// Hairer's starting step (HNW I, §II.4, "Starting step size"), for a 5th-order method.
double initial_step(const OdeRhs& f, double t0, const Workspace& ws, double span, const OdeOptions& o,
                    Eigen::VectorXd& y1, Eigen::VectorXd& f1, std::size_t& evaluations) {
  const double d0 = scaled_rms(ws.y, ws.y, o);
  const double d1 = scaled_rms(ws.k1, ws.y, o);
  double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
  h0 = std::min(h0, span);
  y1 = ws.y + h0 * ws.k1;
  f(t0 + h0, y1, f1);
  ++evaluations;
  if (!f1.allFinite()) return h0;
  const double d2 = scaled_rms(f1 - ws.k1, ws.y, o) / h0;
  const double d = std::max(d1, d2);
  const double h1 = d <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / d, 1.0 / 5.0);
  return std::min({100.0 * h0, h1, span});
}

void check_arguments(double t0, const Eigen::Ref<const Eigen::VectorXd>& y0,
                     const Eigen::Ref<const Eigen::VectorXd>& times, const Eigen::Ref<Eigen::MatrixXd>& out,
                     const OdeOptions& o) {
  if (y0.size() == 0) throw orrery::Error("solve_dopri5: empty initial state");
  if (out.rows() != y0.size() || out.cols() != times.size())
    throw orrery::Error("solve_dopri5: output must be " + std::to_string(y0.size()) + "×" +
                        std::to_string(times.size()) + ", found " + std::to_string(out.rows()) + "×" +
                        std::to_string(out.cols()));
  if (!(o.rtol > 0.0) || !(o.atol >= 0.0) || !std::isfinite(o.rtol) || !std::isfinite(o.atol))
    throw orrery::Error("solve_dopri5: need rtol > 0 and atol ≥ 0, found rtol = " + number(o.rtol) +
                        ", atol = " + number(o.atol));
  if (!std::isfinite(t0)) throw orrery::Error("solve_dopri5: t0 is not finite");
  double previous = t0;
  for (Eigen::Index k = 0; k < times.size(); ++k) {
    if (!std::isfinite(times[k]) || times[k] < previous)
      throw orrery::Error("solve_dopri5: output times must be finite, non-decreasing and ≥ t0 = " + number(t0) +
                          "; time " + std::to_string(k) + " is " + number(times[k]));
    previous = times[k];
  }
}

}  // namespace

OdeStats solve_dopri5(const OdeRhs& f, double t0, const Eigen::Ref<const Eigen::VectorXd>& y0,
                      const Eigen::Ref<const Eigen::VectorXd>& times, Eigen::Ref<Eigen::MatrixXd> out,
                      const OdeOptions& options) {
  check_arguments(t0, y0, times, out, options);
  thread_local Workspace ws;
  const WorkspaceLease lease(ws);
  ws.resize(y0.size());
  OdeStats stats;
  if (!y0.allFinite()) throw OdeFailure("ODE initial state is not finite");

  ws.y = y0;
  double t = t0;
  f(t, ws.y, ws.k1);
  ++stats.evaluations;
  if (!ws.k1.allFinite()) throw OdeFailure("ODE right-hand side is not finite at the initial state (t = " +
                                           number(t0) + ")");

  const double span = times.size() > 0 ? times[times.size() - 1] - t0 : 0.0;
  double h = 0.0;
  if (span > 0.0)
    h = options.initial_step > 0.0 ? std::min(options.initial_step, span)
                                   : initial_step(f, t0, ws, span, options, ws.y_stage, ws.k2, stats.evaluations);
  double factor_max = kFactorMax;
  bool last_rejection_non_finite = false;

  for (Eigen::Index k = 0; k < times.size(); ++k) {
    const double t_out = times[k];
    while (t < t_out) {
      if (stats.accepted + stats.rejected >= options.max_steps)
        throw OdeFailure("ODE solve needed more than " + std::to_string(options.max_steps) + " steps (reached t = " +
                         number(t) + " of " + number(times[times.size() - 1]) + ")");
      if (!(h > 16.0 * std::numeric_limits<double>::epsilon() * std::abs(t)) ||
          !(h >= std::numeric_limits<double>::min()))
        throw OdeFailure(std::string("ODE step size underflow at t = ") + number(t) +
                         (last_rejection_non_finite ? " (the state or its derivative became non-finite)" : ""));
      // Land exactly on the output time when the proposal reaches it, or
      // falls short by under 1 % (stretching beats leaving a sliver step).
      const bool lands = 1.01 * h >= t_out - t;
      const double step = lands ? t_out - t : h;

      ws.y_stage = ws.y + step * a21 * ws.k1;
      f(t + c2 * step, ws.y_stage, ws.k2);
      ws.y_stage = ws.y + step * (a31 * ws.k1 + a32 * ws.k2);
      f(t + c3 * step, ws.y_stage, ws.k3);
      ws.y_stage = ws.y + step * (a41 * ws.k1 + a42 * ws.k2 + a43 * ws.k3);
      f(t + c4 * step, ws.y_stage, ws.k4);
      ws.y_stage = ws.y + step * (a51 * ws.k1 + a52 * ws.k2 + a53 * ws.k3 + a54 * ws.k4);
      f(t + c5 * step, ws.y_stage, ws.k5);
      ws.y_stage = ws.y + step * (a61 * ws.k1 + a62 * ws.k2 + a63 * ws.k3 + a64 * ws.k4 + a65 * ws.k5);
      f(t + step, ws.y_stage, ws.k6);
      ws.y_new = ws.y + step * (b1 * ws.k1 + b3 * ws.k3 + b4 * ws.k4 + b5 * ws.k5 + b6 * ws.k6);
      const double t_new = lands ? t_out : t + step;
      f(t_new, ws.y_new, ws.k7);
      stats.evaluations += 6;

      ws.err = step * (e1 * ws.k1 + e3 * ws.k3 + e4 * ws.k4 + e5 * ws.k5 + e6 * ws.k6 + e7 * ws.k7);
      const bool finite = ws.y_new.allFinite() && ws.k7.allFinite() && ws.err.allFinite();
      double error = 0.0;
      if (finite) {
        const Eigen::Index n = ws.y.size();
        for (Eigen::Index i = 0; i < n; ++i) {
          const double scale = options.atol + options.rtol * std::max(std::abs(ws.y[i]), std::abs(ws.y_new[i]));
          const double r = ws.err[i] / scale;
          error += r * r;
        }
        error = std::sqrt(error / static_cast<double>(n));
      }

      if (finite && error <= 1.0) {
        ++stats.accepted;
        const double factor =
            error == 0.0 ? factor_max : std::clamp(kSafety * std::pow(error, -0.2), kFactorMin, factor_max);
        // A step shortened to land on an output time says little about the
        // natural step size: never let it shrink the next proposal.
        h = lands ? std::max(h, step * factor) : step * factor;
        factor_max = kFactorMax;
        t = t_new;
        ws.y.swap(ws.y_new);
        ws.k1.swap(ws.k7);  // first same as last
        last_rejection_non_finite = false;
      } else {
        ++stats.rejected;
        h = finite ? step * std::max(kFactorMin, kSafety * std::pow(error, -0.2)) : step * kFactorMin;
        factor_max = 1.0;  // no growth right after a rejection
        last_rejection_non_finite = !finite;
      }
    }
    out.col(k) = ws.y;
  }
  return stats;
}

}  // namespace orrery::sbibm
