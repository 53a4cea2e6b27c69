// UnconstrainedTarget: the log / logit maps, their Jacobians (checked by
// integrating the transformed density: it must keep the original
// normalisation), exact gradients (against finite differences), boundary
// behaviour and the mode-finding variant without the Jacobian.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <orrery/unconstrained.hpp>

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Independent elements with known normalised densities on bounded supports:
///   a ~ Gamma(3, 1) on [0, inf)     b ~ 5 - Exponential(2) on (-inf, 5]
///   c ~ Beta(2, 5) scaled to [1, 3]  d ~ N(0.5, 2) on R
class BoundedTarget final : public orrery::Target {
 public:
  BoundedTarget() {
    add("a", 0.0, kInf);
    add("b", -kInf, 5.0);
    add("c", 1.0, 3.0);
    add("d", -kInf, kInf);
  }
  [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
  [[nodiscard]] bool has_gradient() const override { return true; }

  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override {
    Eigen::VectorXd g(4);
    return log_density_gradient(x, g);
  }
  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> g) const override {
    const double a = x[0], b = x[1], t = (x[2] - 1.0) / 2.0, d = x[3];
    if (!(a > 0.0 && b < 5.0 && t > 0.0 && t < 1.0)) return -kInf;
    const double e = 5.0 - b;
    g[0] = 2.0 / a - 1.0;
    g[1] = 2.0;  // d/db of -2 (5 - b)
    g[2] = (1.0 / t - 4.0 / (1.0 - t)) / 2.0;
    g[3] = -(d - 0.5) / 4.0;
    return (2.0 * std::log(a) - a - std::log(2.0)) + (std::log(2.0) - 2.0 * e) +
           (std::log(30.0) + std::log(t) + 4.0 * std::log1p(-t) - std::log(2.0)) +
           (-0.5 * (d - 0.5) * (d - 0.5) / 4.0 - std::log(2.0 * std::sqrt(2.0 * M_PI)));
  }
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override {
    x << rng.uniform(0.5, 4.0), rng.uniform(3.0, 4.5), rng.uniform(1.2, 2.8), rng.normal();
  }

 private:
  void add(const std::string& name, double lower, double upper) {
    orrery::ParameterBlock b;
    b.name = name;
    b.lower = lower;
    b.upper = upper;
    space_.add(b);
  }
  orrery::ParameterSpace space_;
};

/// ∫ exp(f(u)) du over [lo, hi] by the trapezoid rule on n intervals.
template <typename F>
double integrate(F f, double lo, double hi, int n) {
  const double h = (hi - lo) / n;
  double sum = 0.5 * (std::exp(f(lo)) + std::exp(f(hi)));
  for (int i = 1; i < n; ++i) sum += std::exp(f(lo + i * h));
  return sum * h;
}

}  // namespace

TEST_CASE("the transformed density keeps each element's normalisation (the Jacobian is right)") {
  const BoundedTarget target;
  const orrery::UnconstrainedTarget u(target);
  REQUIRE_FALSE(u.is_identity());
  // Move one coordinate at a time from a fixed interior point; the other three
  // contribute a constant factor, measured at the same point.
  Eigen::VectorXd base(4), ubase(4);
  base << 2.0, 4.0, 1.6, 0.5;
  u.to_unconstrained(base, ubase);
  for (int i = 0; i < 4; ++i) {
    INFO("element " << i);
    auto slice = [&](double v) {
      Eigen::VectorXd p = ubase;
      p[i] = v;
      return u.log_density(p);
    };
    // The slice's other factors (the other elements' densities and
    // Jacobians) are constant: take them from the base point, where element
    // i contributes log p_i(x_i) + log|dx_i/du_i|.
    const double xi = base[i], ui = ubase[i];
    double log_pi = 0.0, log_jacobian_i = 0.0;
    switch (i) {
      case 0: log_pi = 2.0 * std::log(xi) - xi - std::log(2.0); log_jacobian_i = ui; break;
      case 1: log_pi = std::log(2.0) - 2.0 * (5.0 - xi); log_jacobian_i = ui; break;
      case 2: {
        const double t = (xi - 1.0) / 2.0;
        log_pi = std::log(30.0) + std::log(t) + 4.0 * std::log1p(-t) - std::log(2.0);
        log_jacobian_i = std::log(2.0) + std::log(t) + std::log1p(-t);
        break;
      }
      default: log_pi = -0.5 * (xi - 0.5) * (xi - 0.5) / 4.0 - std::log(2.0 * std::sqrt(2.0 * M_PI)); break;
    }
    const double others = u.log_density(ubase) - log_pi - log_jacobian_i;
    const double mass = integrate([&](double v) { return slice(v) - others; }, -40.0, 40.0, 400000);
    CHECK(mass == Approx(1.0).epsilon(1e-6));
  }
}

TEST_CASE("gradients in the unconstrained space match finite differences, with and without the Jacobian") {
  const BoundedTarget target;
  for (const auto jacobian : {orrery::UnconstrainedTarget::Jacobian::Include, orrery::UnconstrainedTarget::Jacobian::Exclude}) {
    const orrery::UnconstrainedTarget u(target, jacobian);
    Eigen::VectorXd point(4);
    point << 0.3, -1.2, 0.7, 1.1;
    Eigen::VectorXd grad(4);
    const double value = u.log_density_gradient(point, grad);
    CHECK(value == Approx(u.log_density(point)).epsilon(1e-14));
    for (int i = 0; i < 4; ++i) {
      const double h = 1e-5;
      Eigen::VectorXd plus = point, minus = point;
      plus[i] += h;
      minus[i] -= h;
      CHECK(grad[i] == Approx((u.log_density(plus) - u.log_density(minus)) / (2 * h)).epsilon(1e-7).margin(1e-9));
    }
  }
}

TEST_CASE("without the Jacobian the transformed density is the original one at x(u)") {
  const BoundedTarget target;
  const orrery::UnconstrainedTarget u(target, orrery::UnconstrainedTarget::Jacobian::Exclude);
  Eigen::VectorXd point(4), x(4);
  point << -0.4, 0.9, -2.0, 3.0;
  u.to_constrained(point, x);
  CHECK(u.log_density(point) == Approx(target.log_density(x)).epsilon(1e-14));
}

TEST_CASE("round trips, bounds and non-finite points") {
  const BoundedTarget target;
  const orrery::UnconstrainedTarget u(target);
  Eigen::VectorXd x(4), back(4), z(4);
  x << 0.7, 4.99, 2.9, -3.0;
  u.to_unconstrained(x, z);
  REQUIRE(z.allFinite());
  u.to_constrained(z, back);
  CHECK((back - x).cwiseAbs().maxCoeff() < 1e-12);
  // Elements on or beyond a bound have no unconstrained image.
  x << 0.0, 4.0, 2.0, 0.0;
  u.to_unconstrained(x, z);
  CHECK(z[0] == -kInf);
  x << -1.0, 6.0, 3.5, 0.0;
  u.to_unconstrained(x, z);
  CHECK(std::isnan(z[0]));
  CHECK(std::isnan(z[1]));
  CHECK(std::isnan(z[2]));
  // Far out in u the logit saturates in floating point: a rejection, never a throw.
  z << 0.0, 0.0, 800.0, 0.0;
  CHECK(u.log_density(z) == -kInf);
  Eigen::VectorXd grad(4);
  CHECK(u.log_density_gradient(z, grad) == -kInf);
  // The space keeps the names but drops the bounds.
  CHECK(u.space().block("c").lower == -kInf);
  CHECK(u.space().block("c").upper == kInf);
  // Initial points land inside.
  orrery::RandomStream rng(3);
  u.initial_point(rng, z);
  CHECK(std::isfinite(u.log_density(z)));
}

TEST_CASE("an unbounded target passes through untouched") {
  class Free final : public orrery::Target {
   public:
    Free() {
      orrery::ParameterBlock b;
      b.name = "x";
      b.shape = {3};
      space_.add(b);
    }
    [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
    [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override { return -x.squaredNorm(); }
    void initial_point(orrery::RandomStream&, Eigen::Ref<Eigen::VectorXd> x) const override { x.setZero(); }

   private:
    orrery::ParameterSpace space_;
  } free;
  const orrery::UnconstrainedTarget u(free);
  CHECK(u.is_identity());
  Eigen::VectorXd x(3);
  x << 1.0, 2.0, 3.0;
  CHECK(u.log_density(x) == -14.0);
}

TEST_CASE("a wrapped target may itself evaluate other unconstrained targets on the same thread") {
  // The outer target's density calls an inner UnconstrainedTarget (as a
  // hierarchical or tempered target might): each level keeps its own buffer.
  class Nested final : public orrery::Target {
   public:
    explicit Nested(const orrery::UnconstrainedTarget& inner) : inner_(inner) {
      orrery::ParameterBlock b;
      b.name = "s";
      b.lower = 0.0;
      space_.add(b);
    }
    [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
    [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override {
      Eigen::VectorXd probe(4);
      probe << 0.1, 0.2, 0.3, 0.4;
      return -x[0] + 0.0 * inner_.log_density(probe);  // Exponential(1); the inner call must not disturb x
    }
    void initial_point(orrery::RandomStream&, Eigen::Ref<Eigen::VectorXd> x) const override { x[0] = 1.0; }

   private:
    const orrery::UnconstrainedTarget& inner_;
    orrery::ParameterSpace space_;
  };
  const BoundedTarget bounded;
  const orrery::UnconstrainedTarget inner(bounded);
  const Nested nested(inner);
  const orrery::UnconstrainedTarget outer(nested);
  Eigen::VectorXd u(1);
  u << 0.7;
  CHECK(outer.log_density(u) == Approx(-std::exp(0.7) + 0.7).epsilon(1e-14));
}

TEST_CASE("half-line transforms reject overflow and interval gradients stay accurate far out") {
  const BoundedTarget target;
  const orrery::UnconstrainedTarget u(target);
  Eigen::VectorXd z(4), grad(4);
  z << 800.0, 0.0, 0.0, 0.0;  // exp(800) overflows: x = inf is outside any sensible support
  CHECK(u.log_density(z) == -kInf);
  // Far up the logit (1 - t ≈ 6e-6) the gradient still matches differences.
  // (Much further out x itself cannot resolve 1 - t, whatever the transform.)
  z << 0.0, 0.0, 12.0, 0.0;
  u.log_density_gradient(z, grad);
  const double h = 1e-4;
  Eigen::VectorXd plus = z, minus = z;
  plus[2] += h;
  minus[2] -= h;
  CHECK(grad[2] == Approx((u.log_density(plus) - u.log_density(minus)) / (2 * h)).epsilon(1e-6));
}
