// UnconstrainedTarget: a Target seen through a smooth bijection from R^d onto
// its support, so that samplers and optimisers never meet a boundary.
//
// Every element x_i of the wrapped target's space has the support
// [lower, upper] of its block (ParameterBlock::lower/upper, which the kernel
// takes from the block's prior). The element is written as a function of an
// unconstrained coordinate u_i:
//
//   (-inf, inf):  x = u                              log|dx/du| = 0
//   [a, inf):     x = a + exp(u)                     log|dx/du| = u
//   (-inf, b]:    x = b - exp(u)                     log|dx/du| = u
//   [a, b]:       x = a + (b - a) logistic(u)        log|dx/du| = log(b - a) + log σ(u) + log(1 - σ(u))
//
// and the density of u is  log p_u(u) = log p(x(u)) + Σ_i log|dx_i/du_i|
// (the change-of-variables Jacobian), so draws of u mapped through x(u) are
// draws of the original target. The gradient is exact whenever the wrapped
// target's is. Optimisers looking for the mode of p(x) (not of p_u) construct
// it with Jacobian::Exclude: then log p_u(u) = log p(x(u)) and the maximiser
// over u maps to the maximiser over x inside the support.
//
// Contract:
//  * space() is the wrapped target's space (names and shapes), with every
//    bound removed: the coordinates are the u_i, one per x_i.
//  * log_density, log_density_gradient and log_density_batch are thread-safe
//    if the wrapped target's are; they allocate nothing after a thread's first
//    call (thread-local buffers, one per nesting level, hold x).
//  * A point that maps onto a bound in floating point (u → ±inf, or σ(u)
//    rounding to 0 or 1) has log-density -infinity, never an exception.
//  * initial_point draws the wrapped target's initial point and maps it to u;
//    a point on a bound is redrawn (up to kInitialAttempts times), then Error.
//  * The wrapped target must outlive this object. Wrapping an
//    UnconstrainedTarget again is harmless (its space has no bounds, so the
//    outer one is the identity and forwards every call), and so is a wrapped
//    target that itself evaluates other UnconstrainedTargets.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstddef>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include "orrery/error.hpp"
#include "orrery/target.hpp"

namespace orrery {

class UnconstrainedTarget final : public Target {
 public:
  static constexpr int kInitialAttempts = 100;

  /// Whether log_density adds Σ log|dx/du| (sampling) or not (mode finding).
  enum class Jacobian { Include, Exclude };

  explicit UnconstrainedTarget(const Target& constrained, Jacobian jacobian = Jacobian::Include)
      : constrained_(constrained), space_(constrained.space()), include_jacobian_(jacobian == Jacobian::Include) {
    for (const ParameterBlock& b : constrained.space().blocks()) {
      const Segment::Kind kind = kind_of(b.lower, b.upper);
      if (kind != Segment::Kind::Identity) segments_.push_back({b.offset, b.size(), kind, b.lower, b.upper});
    }
    // The unconstrained space keeps names and shapes but has no bounds.
    for (const ParameterBlock& b : constrained.space().blocks())
      space_.set_bounds(b.name, -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity());
  }

  /// True when no element is bounded: u and x coincide.
  [[nodiscard]] bool is_identity() const { return segments_.empty(); }
  [[nodiscard]] const Target& constrained() const { return constrained_; }

  [[nodiscard]] const ParameterSpace& space() const override { return space_; }
  [[nodiscard]] bool has_gradient() const override { return constrained_.has_gradient(); }

  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& u) const override {
    if (is_identity()) return constrained_.log_density(u);
    const Scratch scratch(u.size());
    Eigen::VectorXd& x = scratch.x();
    const double log_jacobian = to_constrained(u, x);
    if (!std::isfinite(log_jacobian)) return -std::numeric_limits<double>::infinity();
    return constrained_.log_density(x) + (include_jacobian_ ? log_jacobian : 0.0);
  }

  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& u,
                              Eigen::Ref<Eigen::VectorXd> grad) const override {
    if (is_identity()) return constrained_.log_density_gradient(u, grad);
    const Scratch scratch(u.size());
    Eigen::VectorXd& x = scratch.x();
    const double log_jacobian = to_constrained(u, x);
    if (!std::isfinite(log_jacobian)) {
      grad.setConstant(std::numeric_limits<double>::quiet_NaN());
      return -std::numeric_limits<double>::infinity();
    }
    const double lp = constrained_.log_density_gradient(x, grad);  // grad = d log p / dx
    for (const Segment& s : segments_)
      for (std::size_t k = s.offset; k < s.offset + s.size; ++k) {
        const auto i = static_cast<Eigen::Index>(k);
        grad[i] *= dx_du(s, u[i]);
        if (include_jacobian_) grad[i] += dlogjac_du(s, u[i]);
      }
    return lp + (include_jacobian_ ? log_jacobian : 0.0);
  }

  void initial_point(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> u) const override {
    const Scratch scratch(u.size());
    Eigen::VectorXd& x = scratch.x();
    for (int attempt = 0; attempt < kInitialAttempts; ++attempt) {
      constrained_.initial_point(rng, x);
      to_unconstrained(x, u);
      if (u.allFinite()) return;
    }
    throw Error("every one of " + std::to_string(kInitialAttempts) +
                " initial points lay on or outside a parameter's bounds");
  }

  /// Writes x(u) into `x` and returns Σ log|dx/du|; -infinity (x still
  /// written) if some element lands on a bound in floating point.
  double to_constrained(const Eigen::Ref<const Eigen::VectorXd>& u, Eigen::Ref<Eigen::VectorXd> x) const {
    x = u;
    double log_jacobian = 0.0;
    for (const Segment& s : segments_)
      for (std::size_t k = s.offset; k < s.offset + s.size; ++k) {
        const auto i = static_cast<Eigen::Index>(k);
        log_jacobian += constrain(s, u[i], x[i]);
      }
    return std::isnan(log_jacobian) ? -std::numeric_limits<double>::infinity() : log_jacobian;
  }

  /// Writes u(x) into `u`; ±infinity or NaN for elements on or outside a bound.
  void to_unconstrained(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> u) const {
    u = x;
    for (const Segment& s : segments_)
      for (std::size_t k = s.offset; k < s.offset + s.size; ++k) {
        const auto i = static_cast<Eigen::Index>(k);
        u[i] = unconstrain(s, x[i]);
      }
  }

  /// Maps a chain sampled in u back to x in place: draws become x(u) and each
  /// log-density loses its log-Jacobian (if included), so it is the wrapped
  /// target's.
  template <typename Chain>
  void constrain_chain(Chain& chain) const {
    if (is_identity()) return;
    Eigen::VectorXd u(chain.draws.cols()), x(chain.draws.cols());
    for (Eigen::Index n = 0; n < chain.draws.rows(); ++n) {
      u = chain.draws.row(n).transpose();
      const double log_jacobian = to_constrained(u, x);
      chain.draws.row(n) = x.transpose();
      if (include_jacobian_ && n < chain.log_density.size()) chain.log_density[n] -= log_jacobian;
    }
  }

 private:
  struct Segment {
    enum class Kind { Identity, Lower, Upper, Interval };
    std::size_t offset, size;
    Kind kind;
    double lower, upper;
  };

  static Segment::Kind kind_of(double lower, double upper) {
    const bool has_lower = std::isfinite(lower), has_upper = std::isfinite(upper);
    if (has_lower && has_upper) return Segment::Kind::Interval;
    if (has_lower) return Segment::Kind::Lower;
    if (has_upper) return Segment::Kind::Upper;
    return Segment::Kind::Identity;
  }

  /// x(u) into `x`; returns log|dx/du| (-inf or NaN at a bound).
  static double constrain(const Segment& s, double u, double& x) {
    switch (s.kind) {
      case Segment::Kind::Lower:
        x = s.lower + std::exp(u);
        return x > s.lower && std::isfinite(x) ? u : -std::numeric_limits<double>::infinity();
      case Segment::Kind::Upper:
        x = s.upper - std::exp(u);
        return x < s.upper && std::isfinite(x) ? u : -std::numeric_limits<double>::infinity();
      case Segment::Kind::Interval: {
        // log σ(u) and log(1 - σ(u)) computed without cancellation.
        const double log_sigma = -log1p_exp(-u);
        const double log_one_minus = -log1p_exp(u);
        const double sigma = std::exp(log_sigma);
        x = s.lower + (s.upper - s.lower) * sigma;
        if (!(x > s.lower && x < s.upper)) return -std::numeric_limits<double>::infinity();
        return std::log(s.upper - s.lower) + log_sigma + log_one_minus;
      }
      case Segment::Kind::Identity:
        break;
    }
    x = u;
    return 0.0;
  }

  static double unconstrain(const Segment& s, double x) {
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    switch (s.kind) {
      case Segment::Kind::Lower:
        return x > s.lower ? std::log(x - s.lower) : (x == s.lower ? -std::numeric_limits<double>::infinity() : kNaN);
      case Segment::Kind::Upper:
        return x < s.upper ? std::log(s.upper - x) : (x == s.upper ? -std::numeric_limits<double>::infinity() : kNaN);
      case Segment::Kind::Interval: {
        if (!(x >= s.lower && x <= s.upper)) return kNaN;
        const double t = (x - s.lower) / (s.upper - s.lower);
        return std::log(t) - std::log1p(-t);
      }
      case Segment::Kind::Identity:
        break;
    }
    return x;
  }

  static double dx_du(const Segment& s, double u) {
    switch (s.kind) {
      case Segment::Kind::Lower:
        return std::exp(u);
      case Segment::Kind::Upper:
        return -std::exp(u);
      case Segment::Kind::Interval:
        // σ(u) σ(-u): no cancellation in 1 - σ(u) for large u.
        return (s.upper - s.lower) * logistic(u) * logistic(-u);
      case Segment::Kind::Identity:
        break;
    }
    return 1.0;
  }

  static double dlogjac_du(const Segment& s, double u) {
    if (s.kind == Segment::Kind::Interval) return 1.0 - 2.0 * logistic(u);
    return s.kind == Segment::Kind::Identity ? 0.0 : 1.0;
  }

  static double logistic(double u) {
    return u >= 0.0 ? 1.0 / (1.0 + std::exp(-u)) : std::exp(u) / (1.0 + std::exp(u));
  }
  /// log(1 + e^v) without overflow.
  static double log1p_exp(double v) { return v > 0.0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v)); }

  /// A per-thread buffer for x that stays valid while the wrapped target
  /// runs, even if it evaluates another UnconstrainedTarget on the same
  /// thread: each nesting level has its own buffer. Allocates only when a
  /// thread first reaches a depth or a larger size.
  class Scratch {
   public:
    explicit Scratch(Eigen::Index size) : depth_(depth()++) {
      std::deque<Eigen::VectorXd>& buffers = pool();
      if (buffers.size() <= depth_) buffers.resize(depth_ + 1);
      if (buffers[depth_].size() != size) buffers[depth_].resize(size);
    }
    ~Scratch() { --depth(); }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    [[nodiscard]] Eigen::VectorXd& x() const { return pool()[depth_]; }

   private:
    static std::size_t& depth() {
      thread_local std::size_t d = 0;
      return d;
    }
    // A deque: growing it keeps references to the outer levels' buffers valid.
    static std::deque<Eigen::VectorXd>& pool() {
      thread_local std::deque<Eigen::VectorXd> p;
      return p;
    }
    std::size_t depth_;
  };

  const Target& constrained_;
  ParameterSpace space_;
  std::vector<Segment> segments_;
  bool include_jacobian_;
};

}  // namespace orrery
