#include "metric_adaptation.hpp"

#include <cmath>
#include <sstream>

#include <orrery/error.hpp>

#include "leapfrog_kernels.hpp"
#include "sampling_target.hpp"

namespace orrery::samplers {

WindowedAdaptation::WindowedAdaptation(std::uint64_t warmup) : warmup_(warmup) {
  if (warmup < 20) {
    enabled_ = false;
    init_buffer_ = warmup;
    term_buffer_ = 0;
    base_window_ = 0;
  } else if (kInitBuffer + kBaseWindow + kTermBuffer > warmup) {
    // As Stan: 15% / 75% / 10%.
    init_buffer_ = static_cast<std::uint64_t>(0.15 * static_cast<double>(warmup));
    term_buffer_ = static_cast<std::uint64_t>(0.1 * static_cast<double>(warmup));
    base_window_ = warmup - (init_buffer_ + term_buffer_);
  }
  window_size_ = base_window_;
  next_window_ = init_buffer_ + base_window_ - 1;
}

bool WindowedAdaptation::in_window() const {
  return enabled_ && counter_ >= init_buffer_ && counter_ < warmup_ - term_buffer_ && counter_ != warmup_;
}

bool WindowedAdaptation::end_of_window() const {
  return enabled_ && counter_ == next_window_ && counter_ != warmup_;
}

void WindowedAdaptation::compute_next_window() {
  const std::uint64_t last = warmup_ - term_buffer_ - 1;
  if (next_window_ == last) return;
  window_size_ *= 2;
  next_window_ = counter_ + window_size_;
  if (next_window_ != last) {
    const std::uint64_t next_boundary = next_window_ + 2 * window_size_;
    if (next_boundary >= warmup_ - term_buffer_) next_window_ = last;
  }
}

bool MetricAdaptation::learn(const Eigen::VectorXd& q, Hamiltonian& system) {
  if (schedule_.in_window()) estimator_.add(q);
  if (schedule_.end_of_window()) {
    schedule_.compute_next_window();
    bool updated = false;
    if (estimator_.count() >= 2) {
      const double n = static_cast<double>(estimator_.count());
      if (shape_ == MetricShape::Diagonal) {
        Eigen::VectorXd variance = (n / (n + 5.0)) * estimator_.variance().array() + 1e-3 * (5.0 / (n + 5.0));
        if (variance.allFinite() && (variance.array() > 0.0).all()) {
          system.set_inverse_metric(variance);
          updated = true;
        }
      } else {
        Eigen::MatrixXd covariance = (n / (n + 5.0)) * estimator_.covariance();
        covariance.diagonal().array() += 1e-3 * (5.0 / (n + 5.0));
        if (covariance.allFinite()) updated = system.set_inverse_metric(covariance);
      }
    }
    estimator_.restart();
    schedule_.increment();
    return updated;
  }
  schedule_.increment();
  return false;
}

Hamiltonian::Hamiltonian(const orrery::Target& target, Eigen::Index dimension, MetricShape shape)
    : target_(&target), shape_(shape), scratch_(Eigen::VectorXd::Zero(dimension)) {
  if (shape_ == MetricShape::Diagonal) {
    diagonal_ = Eigen::VectorXd::Ones(dimension);
    momentum_scale_ = Eigen::VectorXd::Ones(dimension);
  } else {
    dense_ = Eigen::MatrixXd::Identity(dimension, dimension);
    upper_ = Eigen::MatrixXd::Identity(dimension, dimension);
  }
}

Eigen::VectorXd Hamiltonian::inverse_metric_diagonal() const {
  return shape_ == MetricShape::Diagonal ? diagonal_ : Eigen::VectorXd(dense_.diagonal());
}

void Hamiltonian::set_inverse_metric(const Eigen::VectorXd& variances) {
  if (shape_ == MetricShape::Diagonal) {
    diagonal_ = variances;
    momentum_scale_ = variances.cwiseSqrt().cwiseInverse();
  } else {
    set_inverse_metric(Eigen::MatrixXd(variances.asDiagonal()));
  }
}

bool Hamiltonian::set_inverse_metric(const Eigen::MatrixXd& covariance) {
  if (shape_ == MetricShape::Diagonal) {
    diagonal_ = covariance.diagonal();
    momentum_scale_ = diagonal_.cwiseSqrt().cwiseInverse();
    return true;
  }
  const Eigen::MatrixXd symmetric = 0.5 * (covariance + covariance.transpose());
  const Eigen::LLT<Eigen::MatrixXd> llt(symmetric);
  if (llt.info() != Eigen::Success) return false;
  dense_ = symmetric;
  upper_ = llt.matrixU();
  return true;
}

void Hamiltonian::sample_momentum(PhasePoint& z, orrery::RandomStream& rng) const {
  rng.fill_normal(z.p.data(), static_cast<std::size_t>(z.p.size()));
  if (shape_ == MetricShape::Diagonal) {
    z.p.array() *= momentum_scale_.array();
    return;
  }
  // p = L⁻ᵀ u with u ~ N(0, I), so Cov(p) = (L Lᵀ)⁻¹ = M.
  upper_.triangularView<Eigen::Upper>().solveInPlace(z.p);
}

void Hamiltonian::kick_drift(const PhasePoint& from, PhasePoint& to, double kick, double drift) const {
  if (shape_ == MetricShape::Diagonal) {
    kernels::kick_drift(from.q.size(), from.q.data(), from.p.data(), from.grad.data(), diagonal_.data(), kick, drift,
                        to.q.data(), to.p.data());
    return;
  }
  to.p = from.p + kick * from.grad;
  scratch_.noalias() = dense_ * to.p;
  to.q = from.q + drift * scratch_;
}

double Hamiltonian::kick_velocity(PhasePoint& z, double kick, Eigen::VectorXd& v) const {
  double twice_kinetic;
  if (shape_ == MetricShape::Diagonal) {
    twice_kinetic = kernels::kick_velocity(z.p.size(), z.p.data(), z.grad.data(), diagonal_.data(), kick, nullptr);
  } else {
    z.p.noalias() += kick * z.grad;
    v.noalias() = dense_ * z.p;
    twice_kinetic = z.p.dot(v);
  }
  const double h = -z.log_density + 0.5 * twice_kinetic;
  z.finite = z.finite && std::isfinite(h);
  return z.finite ? h : std::numeric_limits<double>::infinity();
}

double Hamiltonian::kinetic(const Eigen::VectorXd& p) const {
  if (shape_ == MetricShape::Diagonal) return 0.5 * p.dot(diagonal_.cwiseProduct(p));
  scratch_.noalias() = dense_ * p;
  return 0.5 * p.dot(scratch_);
}

double find_reasonable_step_size(Hamiltonian& system, PhasePoint& z, PhasePoint& scratch,
                                 orrery::RandomStream& rng, double step_size) {
  if (!(std::isfinite(step_size) && step_size > 0.0) || step_size > 1e7) return step_size;
  constexpr int kMaxIterations = 100;
  const double log_target = std::log(0.8);
  auto energy_change = [&](double epsilon) {
    scratch.assign(z);
    system.sample_momentum(scratch, rng);
    const double h0 = system.hamiltonian(scratch);
    system.leapfrog(scratch, epsilon);
    const double h = system.hamiltonian(scratch);
    const double delta = h0 - h;
    return std::isnan(delta) ? -std::numeric_limits<double>::infinity() : delta;
  };
  const int direction = energy_change(step_size) > log_target ? 1 : -1;
  for (int i = 0; i < kMaxIterations; ++i) {
    const double delta = energy_change(step_size);
    if (direction == 1 && !(delta > log_target)) break;
    if (direction == -1 && !(delta < log_target)) break;
    const double next = direction == 1 ? 2.0 * step_size : 0.5 * step_size;
    if (next > 1e7 || next < 1e-300) break;  // flat or pathological target: keep the last sane value
    step_size = next;
  }
  return step_size;
}

void initial_point(Hamiltonian& system, PhasePoint& z, orrery::RandomStream& rng, int attempts,
                   const std::string& sampler, std::size_t chain) {
  for (int attempt = 0; attempt < attempts; ++attempt) {
    system.target().initial_point(rng, z.q);
    system.evaluate(z);
    if (z.finite) return;
  }
  throw orrery::Error(sampler + ", chain " + std::to_string(chain) +
                      ": the target's log-density or gradient was not finite at any of " + std::to_string(attempts) +
                      " initial points (last log-density " + format_real(z.log_density) +
                      "); check that the likelihood can be evaluated inside the prior's support");
}

std::uint64_t count_option(const orrery::Options& options, std::string_view key, std::int64_t minimum) {
  const std::int64_t value = options.integer(key);
  if (value < minimum)
    options.error(key, "must be at least " + std::to_string(minimum) + ", found " + std::to_string(value));
  return static_cast<std::uint64_t>(value);
}

double ebfmi(const Eigen::VectorXd& energy) {
  const Eigen::Index n = energy.size();
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  const double mean = energy.mean();
  double numerator = 0.0;
  for (Eigen::Index i = 1; i < n; ++i) numerator += (energy[i] - energy[i - 1]) * (energy[i] - energy[i - 1]);
  const double denominator = (energy.array() - mean).square().sum();
  return numerator / denominator;
}

std::string target_label(const orrery::Context& ctx) {
  const orrery::Options& options = ctx.options();
  if (options.has("target")) {
    const orrery::Value& v = options.at("target");
    if (v.is_string()) return v.as_string();
    if (v.is_table())
      if (const orrery::Value* plugin = v.find("plugin"); plugin && plugin->is_string()) return plugin->as_string();
  }
  return "target";
}

std::string format_real(double value) {
  std::ostringstream out;
  out.precision(10);
  out << value;
  return out.str();
}

HamiltonianOptions HamiltonianOptions::read(const orrery::Options& options) {
  HamiltonianOptions o;
  o.chains = count_option(options, "chains", 1);
  o.length = RunLength::read(options);
  o.delta = options.real("delta");
  if (!(o.delta > 0.0 && o.delta < 1.0)) options.error("delta", "must lie in (0, 1), found " + format_real(o.delta));
  if (options.has("initial_step_size")) {
    o.initial_step_size = options.real("initial_step_size");
    if (!(std::isfinite(o.initial_step_size) && o.initial_step_size > 0.0))
      options.error("initial_step_size", "must be finite and > 0, found " + format_real(o.initial_step_size));
  }
  const std::string& metric = options.string("metric");
  if (metric == "diag")
    o.metric = MetricShape::Diagonal;
  else if (metric == "dense")
    o.metric = MetricShape::Dense;
  else
    options.error("metric", "must be diag or dense, found '" + metric + "'");
  return o;
}

orrery::Schema HamiltonianOptions::schema(orrery::Schema specific, std::string_view delta_doc) {
  using namespace orrery::option;
  orrery::Schema schema{
      reference("target", orrery::Kind::Target).default_value("@posterior").doc("the density to sample (needs a gradient)"),
      integer("chains").default_value(4).min(1).doc("number of independent chains"),
      integer("steps").default_value(1000).min(1).doc("draws per chain after warm-up (the most, with until_converged)"),
      integer("warmup").default_value(1000).min(0).doc("adaptation iterations per chain, discarded")};
  for (orrery::OptionSpec& spec : specific) schema.push_back(std::move(spec));
  schema.push_back(real("delta").default_value(0.8).greater_than(0.0).less_than(1.0).doc(std::string(delta_doc)));
  schema.push_back(real("initial_step_size").greater_than(0.0).doc("first step size; default: Stan's heuristic from 1"));
  schema.push_back(string("metric").default_value("diag").choices({"diag", "dense"}).doc(
      "inverse metric adapted during warm-up: diag (diagonal) or dense (full covariance)"));
  schema.push_back(SamplingTarget::option());
  for (orrery::OptionSpec& spec : RunLength::options()) schema.push_back(std::move(spec));
  return schema;
}

void require_gradient(const orrery::Context& ctx, const orrery::Target& target, std::string_view sampler) {
  if (!target.has_gradient())
    ctx.options().error("target", "the " + std::string(sampler) + " sampler needs a gradient; the target '" +
                                      target_label(ctx) +
                                      "' has none (use a sampler that needs only densities, such as samplers.ensemble "
                                      "or samplers.metropolis)");
}

}  // namespace orrery::samplers
