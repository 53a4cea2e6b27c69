// Metric (mass-matrix) adaptation and the Hamiltonian system shared by the
// HMC and NUTS samplers.
//
//  * PhasePoint / DiagonalHamiltonian: position, momentum, gradient and the
//    leapfrog integrator for a diagonal inverse metric. Every vector is
//    allocated once per chain; a leapfrog step allocates nothing.
//  * WindowedAdaptation: Stan's warm-up schedule (initial fast buffer, doubling
//    slow windows, terminal fast buffer).
//  * DiagonalMetricAdaptation: a Welford variance over each slow window,
//    regularised as (n/(n+5)) var + 1e-3 (5/(n+5)).
//  * find_reasonable_step_size: Stan's step-size initialisation heuristic.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include <orrery/context.hpp>
#include <orrery/options.hpp>
#include <orrery/schema.hpp>

#include <orrery/random.hpp>
#include <orrery/target.hpp>

#include "chain_driver.hpp"

namespace orrery::samplers {

/// One point of phase space with its log-density and gradient.
struct PhasePoint {
  Eigen::VectorXd q;     ///< position
  Eigen::VectorXd p;     ///< momentum
  Eigen::VectorXd grad;  ///< gradient of the log-density at q
  double log_density = -std::numeric_limits<double>::infinity();
  bool finite = false;   ///< log_density and every gradient element finite (set by Hamiltonian::evaluate)

  explicit PhasePoint(Eigen::Index d = 0)
      : q(Eigen::VectorXd::Zero(d)), p(Eigen::VectorXd::Zero(d)), grad(Eigen::VectorXd::Zero(d)) {}
  template <typename IO>
  void visit(IO& io) {
    io(q);
    io(p);
    io(grad);
    io(log_density);
    io(finite);
  }
  /// Exchanges the two points' contents without copying vectors.
  void swap(PhasePoint& other) noexcept {
    q.swap(other.q);
    p.swap(other.p);
    grad.swap(other.grad);
    std::swap(log_density, other.log_density);
    std::swap(finite, other.finite);
  }
  /// Copies without reallocating (all points of a chain have the same size).
  void assign(const PhasePoint& other) {
    q = other.q;
    p = other.p;
    grad = other.grad;
    log_density = other.log_density;
    finite = other.finite;
  }
};

/// Shape of the inverse metric M⁻¹.
enum class MetricShape { Diagonal, Dense };

/// H(q, p) = -log π(q) + ½ pᵀ M⁻¹ p with a diagonal or dense inverse metric
/// M⁻¹ (the identity until adapted). Per-chain scratch storage keeps the
/// leapfrog step free of heap allocation.
class Hamiltonian {
 public:
  Hamiltonian(const orrery::Target& target, Eigen::Index dimension, MetricShape shape);

  [[nodiscard]] MetricShape shape() const { return shape_; }
  /// The diagonal of M⁻¹ (for a dense metric, of the full matrix).
  [[nodiscard]] Eigen::VectorXd inverse_metric_diagonal() const;
  /// M⁻¹ of a Diagonal system, without a copy.
  [[nodiscard]] const Eigen::VectorXd& inverse_metric_diagonal_ref() const { return diagonal_; }
  /// Sets a diagonal M⁻¹ (Diagonal shape).
  void set_inverse_metric(const Eigen::VectorXd& variances);
  /// Sets a dense M⁻¹ (Dense shape); false (and no change) unless it is
  /// symmetric positive definite.
  bool set_inverse_metric(const Eigen::MatrixXd& covariance);

  /// Fills z.p with a draw from N(0, M).
  void sample_momentum(PhasePoint& z, orrery::RandomStream& rng) const;
  [[nodiscard]] double kinetic(const Eigen::VectorXd& p) const;
  /// The Hamiltonian of z; +inf where the log-density or gradient is not finite.
  [[nodiscard]] double hamiltonian(const PhasePoint& z) const {
    if (!z.finite) return std::numeric_limits<double>::infinity();
    const double h = -z.log_density + kinetic(z.p);
    return std::isnan(h) ? std::numeric_limits<double>::infinity() : h;
  }
  /// dτ/dp = M⁻¹ p, written into `out`.
  void velocity(const Eigen::VectorXd& p, Eigen::VectorXd& out) const {
    if (shape_ == MetricShape::Diagonal)
      out = diagonal_.cwiseProduct(p);
    else
      out.noalias() = dense_ * p;
  }

  /// Evaluates log-density and gradient at z.q; counts one evaluation.
  void evaluate(PhasePoint& z) {
    z.log_density = target_->log_density_gradient(z.q, z.grad);
    z.finite = std::isfinite(z.log_density) && z.grad.allFinite();
    ++evaluations_;
  }
  /// One leapfrog step of size `epsilon` (may be negative). Stops early
  /// (leaving a non-finite state) if the log-density or gradient is not
  /// finite.
  void leapfrog(PhasePoint& z, double epsilon) {
    z.p.noalias() += (0.5 * epsilon) * z.grad;
    if (shape_ == MetricShape::Diagonal)
      z.q.noalias() += epsilon * diagonal_.cwiseProduct(z.p);
    else
      z.q.noalias() += epsilon * (dense_ * z.p);
    evaluate(z);
    if (!z.finite) return;
    z.p.noalias() += (0.5 * epsilon) * z.grad;
  }

  // The fused integrator steps (one vector pass each with a diagonal
  // metric; see leapfrog_kernels.hpp). A leapfrog step of size ε is
  // kick_drift(z, z, ε/2, ε), evaluate_unchecked(z), kick_velocity(z, ε/2, v);
  // consecutive steps may merge the closing and opening half kicks into one
  // kick_drift(z, z, ε, ε).

  /// to.p = from.p + kick·from.grad, then to.q = from.q + drift·M⁻¹to.p.
  /// `to` may be `from`; only q and p of `to` are written.
  void kick_drift(const PhasePoint& from, PhasePoint& to, double kick, double drift) const;
  /// Evaluates log-density and gradient at z.q (one evaluation), checking
  /// only the log-density: z.finite says whether it is finite. A non-finite
  /// gradient surfaces in the Hamiltonian kick_velocity returns next (it
  /// makes the momentum non-finite), which saves a pass over the gradient.
  void evaluate_unchecked(PhasePoint& z) {
    z.log_density = target_->log_density_gradient(z.q, z.grad);
    z.finite = std::isfinite(z.log_density);
    ++evaluations_;
  }
  /// z.p += kick·z.grad; returns H(z), +inf unless the log-density, the
  /// momentum and hence the gradient are finite, and sets z.finite to match.
  /// With a dense metric the velocity M⁻¹z.p is written into `v` (it comes
  /// with the energy); a diagonal metric's velocity m ∘ p is cheaper to form
  /// where it is used, so `v` is left untouched.
  double kick_velocity(PhasePoint& z, double kick, Eigen::VectorXd& v) const;

  [[nodiscard]] std::uint64_t evaluations() const { return evaluations_; }
  [[nodiscard]] const orrery::Target& target() const { return *target_; }

  /// The adapted metric and the evaluation count, for checkpoints.
  template <typename IO>
  void visit(IO& io) {
    io(diagonal_);
    io(momentum_scale_);
    io(dense_);
    io(upper_);
    io(evaluations_);
  }

 private:
  const orrery::Target* target_;
  MetricShape shape_;
  Eigen::VectorXd diagonal_;      ///< Diagonal: M⁻¹
  Eigen::VectorXd momentum_scale_;  ///< Diagonal: 1 / sqrt(M⁻¹), the sd of each momentum
  Eigen::MatrixXd dense_;         ///< Dense: M⁻¹
  Eigen::MatrixXd upper_;         ///< Dense: Lᵀ with L Lᵀ = M⁻¹
  mutable Eigen::VectorXd scratch_;
  std::uint64_t evaluations_ = 0;
};

/// Stan's warm-up schedule for `warmup` iterations: an initial buffer (75),
/// slow windows doubling from 25, and a terminal buffer (50), scaled to 15% /
/// 75% / 10% of the warm-up when those do not fit. Below 20 iterations there is
/// no metric adaptation.
class WindowedAdaptation {
 public:
  static constexpr std::uint64_t kInitBuffer = 75;
  static constexpr std::uint64_t kTermBuffer = 50;
  static constexpr std::uint64_t kBaseWindow = 25;

  explicit WindowedAdaptation(std::uint64_t warmup);

  /// True if iteration counter() (0-based) lies in a slow window.
  [[nodiscard]] bool in_window() const;
  /// True if iteration counter() ends a slow window.
  [[nodiscard]] bool end_of_window() const;
  /// Advances the window boundaries after a window ends.
  void compute_next_window();
  void increment() { ++counter_; }

  [[nodiscard]] bool enabled() const { return enabled_; }
  [[nodiscard]] std::uint64_t init_buffer() const { return init_buffer_; }
  [[nodiscard]] std::uint64_t term_buffer() const { return term_buffer_; }
  [[nodiscard]] std::uint64_t base_window() const { return base_window_; }

  /// The schedule's position (the rest follows from the warm-up length).
  template <typename IO>
  void visit(IO& io) {
    io(counter_);
    io(window_size_);
    io(next_window_);
  }

 private:
  std::uint64_t warmup_;
  bool enabled_ = true;
  std::uint64_t init_buffer_ = kInitBuffer;
  std::uint64_t term_buffer_ = kTermBuffer;
  std::uint64_t base_window_ = kBaseWindow;
  std::uint64_t counter_ = 0;
  std::uint64_t window_size_ = kBaseWindow;
  std::uint64_t next_window_ = 0;
};

/// Welford running mean and (co)variance of the positions in a slow window.
class WelfordEstimator {
 public:
  WelfordEstimator(Eigen::Index d, bool dense)
      : dense_(dense), mean_(Eigen::VectorXd::Zero(d)), m2_(Eigen::VectorXd::Zero(d)), delta_(Eigen::VectorXd::Zero(d)),
        m2_dense_(dense ? Eigen::MatrixXd::Zero(d, d) : Eigen::MatrixXd()) {}
  void restart() {
    n_ = 0;
    mean_.setZero();
    m2_.setZero();
    if (dense_) m2_dense_.setZero();
  }
  void add(const Eigen::VectorXd& x) {
    ++n_;
    delta_ = x - mean_;
    mean_.noalias() += delta_ / static_cast<double>(n_);
    if (dense_)
      m2_dense_.noalias() += delta_ * (x - mean_).transpose();
    else
      m2_.array() += delta_.array() * (x - mean_).array();
  }
  [[nodiscard]] std::uint64_t count() const { return n_; }
  /// Sample variances (n − 1 denominator).
  [[nodiscard]] Eigen::VectorXd variance() const { return m2_ / (static_cast<double>(n_) - 1.0); }
  /// Sample covariance (dense estimators only).
  [[nodiscard]] Eigen::MatrixXd covariance() const { return m2_dense_ / (static_cast<double>(n_) - 1.0); }

  template <typename IO>
  void visit(IO& io) {
    io(n_);
    io(mean_);
    io(m2_);
    io(m2_dense_);
  }

 private:
  bool dense_;
  std::uint64_t n_ = 0;
  Eigen::VectorXd mean_, m2_, delta_;
  Eigen::MatrixXd m2_dense_;
};

/// Learns the inverse metric over Stan's slow windows, regularised towards
/// 1e-3 I as (n/(n+5)) Σ̂ + 1e-3 (5/(n+5)) I.
class MetricAdaptation {
 public:
  MetricAdaptation(std::uint64_t warmup, Eigen::Index dimension, MetricShape shape)
      : schedule_(warmup), estimator_(dimension, shape == MetricShape::Dense), shape_(shape) {}

  /// Records the position after one warm-up transition. Returns true if a
  /// window ended and the system's inverse metric was updated (then the
  /// caller should re-initialise and restart the step-size adaptation).
  bool learn(const Eigen::VectorXd& q, Hamiltonian& system);
  [[nodiscard]] const WindowedAdaptation& schedule() const { return schedule_; }

  template <typename IO>
  void visit(IO& io) {
    schedule_.visit(io);
    estimator_.visit(io);
  }

 private:
  WindowedAdaptation schedule_;
  WelfordEstimator estimator_;
  MetricShape shape_;
};

/// Stan's heuristic: doubles or halves `step_size` from z until the energy
/// change of one leapfrog step crosses log(0.8). Leaves z's position,
/// log-density and gradient as they were (its momentum is redrawn). Returns
/// the new step size (the input unchanged if it is not finite and positive).
double find_reasonable_step_size(Hamiltonian& system, PhasePoint& z, PhasePoint& scratch,
                                 orrery::RandomStream& rng, double step_size);

/// Draws z.q from target.initial_point(), retried up to `attempts` times until
/// the log-density and gradient are finite; throws orrery::Error naming
/// `sampler` and the chain otherwise.
void initial_point(Hamiltonian& system, PhasePoint& z, orrery::RandomStream& rng, int attempts,
                   const std::string& sampler, std::size_t chain);

/// Integer option `key`, at least `minimum` (guards direct construction).
std::uint64_t count_option(const orrery::Options& options, std::string_view key, std::int64_t minimum);

/// E-BFMI of one chain's energies: Σ(E_n − E_{n−1})² / Σ(E_n − Ē)²; NaN below 2 draws.
double ebfmi(const Eigen::VectorXd& energy);

/// How the "target" option names its component: "@posterior", or the
/// inline table's plugin.
std::string target_label(const orrery::Context& ctx);

/// A number as a user would write it.
std::string format_real(double value);

/// The options HMC and NUTS share (chains, steps, warmup, the convergence
/// options, delta, initial_step_size, metric), read and checked once for both.
struct HamiltonianOptions {
  std::uint64_t chains = 1;
  RunLength length;  ///< steps, warmup and the convergence options
  double delta = 0.8;
  double initial_step_size = 0.0;  ///< 0: the step-size heuristic chooses
  MetricShape metric = MetricShape::Diagonal;

  /// Reads them from `options`; errors name the offending key.
  static HamiltonianOptions read(const orrery::Options& options);
  /// The schema of these options (and "target" and "unconstrained"), with
  /// the sampler's own options `specific` after "warmup". `delta_doc` says
  /// what delta is the target of.
  static orrery::Schema schema(orrery::Schema specific, std::string_view delta_doc);
};

/// Refuses (an error naming option "target") a target without a gradient;
/// `sampler` names the sampler in the message ("NUTS", "HMC", "MALA").
void require_gradient(const orrery::Context& ctx, const orrery::Target& target, std::string_view sampler);

}  // namespace orrery::samplers
