// Adaptive explicit Runge–Kutta integration of y' = f(t, y): the
// Dormand–Prince 5(4) pair (Hairer, Nørsett & Wanner, "Solving Ordinary
// Differential Equations I", 2nd ed., §II.4–5), advancing the 5th-order
// solution with the embedded 4th-order one as error estimate.
//
// Contract of solve_dopri5:
//  * integrates forward from (t0, y0) and writes y(times[k]) into column k of
//    `out` (dim(y) × times.size(), caller-owned). `times` must be
//    non-decreasing and ≥ t0; steps are shortened to land exactly on each
//    output time (no interpolation), so outputs carry the step's full order;
//  * a step is accepted when the RMS over components of
//    err_i / (atol + rtol·max(|y_i|, |y_new_i|)) is ≤ 1, the usual mixed
//    relative/absolute local error control (as in DifferentialEquations.jl and
//    SciPy's RK45);
//  * the global error is not controlled directly; the tests bound it at
//    ≤ 100·rtol (relative) for exponential decay and for a harmonic oscillator
//    over several periods at rtol = atol = 1e-8;
//  * throws OdeFailure (an orrery::Error) when the state or the derivative
//    becomes non-finite and cannot be recovered by smaller steps, when the
//    step size underflows, or when more than max_steps steps (accepted plus
//    rejected) are needed. Never returns a non-finite result.
//
// Thread-safe: no shared state; working vectors are per thread and reused
// between calls, so a call allocates nothing after a thread's first solve of
// the largest dimension. `f` must not call solve_dopri5 itself.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <functional>

#include <orrery/error.hpp>

namespace orrery::sbibm {

/// A failed integration: non-finite state, step size underflow, or too many steps.
class OdeFailure : public orrery::Error {
 public:
  using orrery::Error::Error;
};

/// dy/dt = f(t, y), written into `dydt` (same size as y). Called from one thread per solve.
using OdeRhs = std::function<void(double t, const Eigen::Ref<const Eigen::VectorXd>& y,
                                  Eigen::Ref<Eigen::VectorXd> dydt)>;

struct OdeOptions {
  double rtol = 1e-8;             ///< relative tolerance of the local error (> 0)
  double atol = 1e-8;             ///< absolute tolerance of the local error (≥ 0; rtol + atol > 0)
  double initial_step = 0.0;      ///< first step; 0 picks one automatically (Hairer's hinit)
  std::size_t max_steps = 100000; ///< attempted steps, accepted and rejected together (Julia's maxiters)
};

struct OdeStats {
  std::size_t accepted = 0;     ///< accepted steps
  std::size_t rejected = 0;     ///< rejected steps
  std::size_t evaluations = 0;  ///< calls of f
};

/// Integrates y' = f(t, y) from (t0, y0), writing y(times[k]) into out.col(k).
/// See the file comment for the contract; throws OdeFailure, or
/// orrery::Error for invalid arguments (sizes, unsorted times, tolerances).
OdeStats solve_dopri5(const OdeRhs& f, double t0, const Eigen::Ref<const Eigen::VectorXd>& y0,
                      const Eigen::Ref<const Eigen::VectorXd>& times, Eigen::Ref<Eigen::MatrixXd> out,
                      const OdeOptions& options = {});

}  // namespace orrery::sbibm
