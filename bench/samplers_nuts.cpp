// bench/samplers_nuts: what a gradient buys, and what the NUTS/HMC machinery
// costs on top of the gradient.
//
// (a) Efficiency on the 100-dimensional ill-conditioned Gaussian (toy.gaussian:
//     condition number 1e4, random rotation, seed 1): samplers.nuts with a
//     dense metric, reported as ESS per gradient evaluation, next to
//     samplers.metropolis (adaptive, full covariance) and samplers.ensemble (emcee's
//     stretch move, 2·d walkers) as ESS per log-density evaluation. ESS is the
//     smallest bulk ESS over the 100 coordinates (rank-normalised split chains,
//     orrery/diagnostics.hpp); evaluations include warm-up. The ensemble's
//     walkers are not independent chains: its bulk ESS across walkers is
//     printed with emcee's estimate walkers × steps / τ (Sokal window c = 5)
//     beside it.
// (a') The same on eight schools (non-centred, posteriordb's
//     eight_schools_noncentered: theta_trans ~ N(0,1), mu ~ N(0,5),
//     tau ~ half-Cauchy(0,5), y_j ~ N(mu + tau theta_trans_j, sigma_j)), with
//     tau > 0 sampled on log scale by every sampler (unconstrained = true),
//     NUTS with its default diagonal metric and delta = 0.9.
// (b) Overhead per leapfrog step on a cheap 1000-dimensional standard normal
//     (toy.gaussian with condition_number = 1: the gradient is two passes over
//     the vector): the wall time of a whole NUTS (and HMC) run divided by its
//     gradient evaluations, over the time of one gradient evaluation through
//     the same virtual call in a tight loop (fastest of three sampler runs and
//     of five gradient loops, as the machine is shared). The target is ≤ 2.
//
// One thread, samplers built directly on a minimal Context (no kernel).
// Usage: samplers_nuts [--quick | --overhead]   (--quick: a 10-D Gaussian and short runs, for the test suite;
//        --overhead: only (b), e.g. for profiling)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <orrery/context.hpp>
#include <orrery/diagnostics.hpp>
#include <orrery/schema.hpp>
#include <orrery/target.hpp>

#include "bench_services.hpp"
#include "ensemble_sampler.hpp"
#include "gaussian_target.hpp"
#include "hmc_sampler.hpp"
#include "metropolis_sampler.hpp"
#include "nuts_sampler.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

using orrery::bench::NoCache;
using orrery::bench::NoProgress;
using orrery::bench::SerialExecutor;
using orrery::bench::SilentLogger;

/// The smallest Context that builds a component: the given options plus the
/// schema's defaults, at most one reference (option "target"), one thread.
class BenchContext final : public orrery::Context {
 public:
  BenchContext(orrery::ValueTable options, const orrery::Schema& schema, orrery::Target* target = nullptr,
               std::string name = "bench")
      : name_(std::move(name)), table_(with_defaults(std::move(options), schema)), options_(table_, name_),
        target_(target), rng_(20261125) {}
  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] const std::string& plugin() const override { return name_; }
  [[nodiscard]] const orrery::Options& options() const override { return options_; }
  [[nodiscard]] const orrery::ParameterSpace& parameters() const override {
    return target_ ? target_->space() : empty_;
  }
  orrery::Component& reference(std::string_view key, std::size_t /*index*/) override {
    if (!target_) throw orrery::Error("bench context: no reference '" + std::string(key) + "'");
    return *target_;
  }
  [[nodiscard]] std::size_t reference_count(std::string_view /*key*/) const override { return target_ ? 1 : 0; }
  orrery::RandomStream& rng() override { return rng_; }
  orrery::Logger& logger() override { return logger_; }
  std::unique_ptr<orrery::Progress> progress(std::string_view /*label*/, std::uint64_t /*total*/) override {
    return std::make_unique<NoProgress>();
  }
  orrery::Executor& executor() override { return executor_; }
  orrery::ArtifactCache& cache() override { return cache_; }
  [[nodiscard]] fs::path output_dir() const override { throw orrery::Error("no output folder in the benchmark"); }
  [[nodiscard]] const orrery::Array* observation() const override { return nullptr; }

 private:
  static orrery::Value with_defaults(orrery::ValueTable options, const orrery::Schema& schema) {
    for (const orrery::OptionSpec& spec : schema) {
      const bool given =
          std::any_of(options.begin(), options.end(), [&](const auto& kv) { return kv.first == spec.key; });
      if (!given && spec.default_value) options.emplace_back(spec.key, *spec.default_value);
    }
    return orrery::Value(std::move(options));
  }
  std::string name_;
  orrery::Value table_;
  orrery::Options options_;
  orrery::Target* target_;
  orrery::ParameterSpace empty_;
  orrery::RandomStream rng_;
  SilentLogger logger_;
  SerialExecutor executor_;
  NoCache cache_;
};

struct Built {
  std::unique_ptr<BenchContext> context;
  std::unique_ptr<orrery::toy::GaussianTarget> target;
};
Built gaussian(std::int64_t dimension, double condition_number) {
  Built b;
  b.context = std::make_unique<BenchContext>(
      orrery::ValueTable{{"dimension", dimension}, {"condition_number", condition_number}, {"seed", 1}},
      orrery::toy::GaussianTarget::options(), nullptr, "gaussian");
  b.target = std::make_unique<orrery::toy::GaussianTarget>(*b.context);
  return b;
}

struct Outcome {
  double seconds = 0.0;
  double evaluations = 0.0;
  double min_ess_bulk = 0.0;
  double ess_emcee = 0.0;  ///< walkers × steps / max τ (ensemble only)
  std::string statistics;
};

template <typename S>
Outcome run(orrery::Target& target, orrery::ValueTable options, bool ensemble = false) {
  BenchContext ctx(std::move(options), S::options(), &target, "sampler");
  S sampler(ctx);
  const auto start = Clock::now();
  const orrery::SampleSet set = sampler.run(ctx);
  Outcome o;
  o.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const orrery::Chain& c : set.chains) o.evaluations += static_cast<double>(c.evaluations);
  o.min_ess_bulk = std::numeric_limits<double>::infinity();
  double max_tau = 0.0;
  const Eigen::Index d = set.chains.front().draws.cols();
  for (Eigen::Index i = 0; i < d; ++i) {
    orrery::diagnostics::Chains chains;
    for (const orrery::Chain& c : set.chains) chains.emplace_back(c.draws.col(i));
    o.min_ess_bulk = std::min(o.min_ess_bulk, orrery::diagnostics::ess_bulk(chains));
    if (ensemble) max_tau = std::max(max_tau, orrery::diagnostics::integrated_autocorrelation_time(chains));
  }
  if (ensemble)
    o.ess_emcee = static_cast<double>(set.chains.size() * static_cast<std::size_t>(set.chains.front().draws.rows())) /
                  max_tau;
  for (const auto& [key, value] : set.statistics)
    if (key == "step_size" || key == "tree_depth" || key == "acceptance_rate" || key == "divergences") {
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%s %.3g  ", key.c_str(), value);
      o.statistics += buffer;
    }
  return o;
}

void efficiency(bool quick) {
  // --quick only checks that everything runs: a 10-D Gaussian and short chains.
  const int d = quick ? 10 : 100;
  Built g = gaussian(d, quick ? 100.0 : 1e4);
  std::printf("(a) %d-D Gaussian, condition number %g, random rotation; min bulk ESS over coordinates, evaluations "
              "include warm-up\n",
              d, quick ? 100.0 : 1e4);
  const Outcome nuts = run<orrery::samplers::NutsSampler>(
      *g.target, {{"chains", 4}, {"warmup", quick ? 200 : 1000}, {"steps", quick ? 200 : 1000}, {"metric", "dense"}});
  const Outcome mh = run<orrery::samplers::MetropolisSampler>(
      *g.target,
      {{"chains", 4}, {"warmup", quick ? 2000 : 100000}, {"steps", quick ? 2000 : 400000}, {"thin", quick ? 1 : 20}});
  const Outcome ens = run<orrery::samplers::EnsembleSampler>(
      *g.target, {{"walkers", 2 * d}, {"warmup", quick ? 200 : 10000}, {"steps", quick ? 500 : 40000},
                  {"thin", quick ? 1 : 10}, {"parallel", "never"}},
      true);
  auto line = [](const char* label, const char* unit, const Outcome& o) {
    std::printf("  %-18s %9.0f %-9s %8.3f s   min ESS %8.1f   ESS per evaluation %.3g   ESS/s %9.1f   %s\n", label,
                o.evaluations, unit, o.seconds, o.min_ess_bulk, o.min_ess_bulk / o.evaluations,
                o.min_ess_bulk / o.seconds, o.statistics.c_str());
  };
  line("nuts (dense)", "gradients", nuts);
  line("metropolis", "densities", mh);
  line("ensemble (stretch)", "densities", ens);
  std::printf("  ensemble: emcee's ESS = walkers x steps / max tau = %.1f (%.3g per evaluation)\n", ens.ess_emcee,
              ens.ess_emcee / ens.evaluations);
  const double per_nuts = nuts.min_ess_bulk / nuts.evaluations;
  std::printf("ratios, ESS per evaluation: nuts/metropolis %.1fx, nuts/ensemble %.1fx; ESS/s: nuts/metropolis %.1fx, "
              "nuts/ensemble %.1fx\n",
              per_nuts / (mh.min_ess_bulk / mh.evaluations), per_nuts / (ens.min_ess_bulk / ens.evaluations),
              (nuts.min_ess_bulk / nuts.seconds) / (mh.min_ess_bulk / mh.seconds),
              (nuts.min_ess_bulk / nuts.seconds) / (ens.min_ess_bulk / ens.seconds));
}

/// posteriordb's eight_schools_noncentered as a Target: 8 theta_trans, mu, tau.
class EightSchools final : public orrery::Target {
 public:
  EightSchools() {
    orrery::ParameterBlock theta;
    theta.name = "theta_trans";
    theta.shape = {8};
    space_.add(theta);
    orrery::ParameterBlock mu;
    mu.name = "mu";
    space_.add(mu);
    orrery::ParameterBlock tau;
    tau.name = "tau";
    tau.lower = 0.0;
    space_.add(tau);
  }
  [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
  [[nodiscard]] bool has_gradient() const override { return true; }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override {
    Eigen::VectorXd g(10);
    return log_density_gradient(x, g);
  }
  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> g) const override {
    static constexpr double y[8] = {28, 8, -3, 7, -1, 1, 18, 12};
    static constexpr double sigma[8] = {15, 10, 16, 11, 9, 11, 10, 18};
    const double mu = x[8], tau = x[9];
    if (!(tau > 0.0)) return -std::numeric_limits<double>::infinity();
    double lp = -mu * mu / 50.0 - std::log1p(tau * tau / 25.0);
    g.setZero();
    g[8] = -mu / 25.0;
    g[9] = -2.0 * tau / (25.0 + tau * tau);
    for (int j = 0; j < 8; ++j) {
      const double r = (y[j] - mu - tau * x[j]) / (sigma[j] * sigma[j]);  // d/dtheta of the data term, per unit
      lp += -0.5 * x[j] * x[j] - 0.5 * r * (y[j] - mu - tau * x[j]);
      g[j] = -x[j] + r * tau;
      g[8] += r;
      g[9] += r * x[j];
    }
    return lp;
  }
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override {
    for (int i = 0; i < 9; ++i) x[i] = rng.uniform(-2.0, 2.0);
    x[9] = std::exp(rng.uniform(-2.0, 2.0));  // Stan's initialisation on the log scale
  }

 private:
  orrery::ParameterSpace space_;
};

void eight_schools(bool quick) {
  EightSchools target;
  std::printf("(a') eight schools, non-centred (10 parameters; tau sampled on log scale)\n");
  const Outcome nuts = run<orrery::samplers::NutsSampler>(
      target, {{"chains", 4}, {"warmup", quick ? 200 : 1000}, {"steps", quick ? 200 : 5000}, {"delta", 0.9}});
  const Outcome mh = run<orrery::samplers::MetropolisSampler>(
      target, {{"chains", 4}, {"warmup", quick ? 2000 : 20000}, {"steps", quick ? 2000 : 200000}, {"thin", quick ? 1 : 10}});
  const Outcome ens = run<orrery::samplers::EnsembleSampler>(
      target, {{"walkers", 40}, {"warmup", quick ? 200 : 5000}, {"steps", quick ? 500 : 50000}, {"thin", quick ? 1 : 10},
               {"parallel", "never"}},
      true);
  auto line = [](const char* label, const char* unit, const Outcome& o) {
    std::printf("  %-18s %9.0f %-9s %8.3f s   min ESS %8.1f   ESS per evaluation %.3g   ESS/s %9.1f   %s\n", label,
                o.evaluations, unit, o.seconds, o.min_ess_bulk, o.min_ess_bulk / o.evaluations,
                o.min_ess_bulk / o.seconds, o.statistics.c_str());
  };
  line("nuts (diag)", "gradients", nuts);
  line("metropolis", "densities", mh);
  line("ensemble (stretch)", "densities", ens);
  const double per_nuts = nuts.min_ess_bulk / nuts.evaluations;
  std::printf("ratios, ESS per evaluation: nuts/metropolis %.1fx, nuts/ensemble %.1fx\n",
              per_nuts / (mh.min_ess_bulk / mh.evaluations), per_nuts / (ens.min_ess_bulk / ens.evaluations));
}

/// Seconds per log_density_gradient call: best of 5 rounds.
double gradient_seconds(const orrery::Target& target, int calls) {
  const Eigen::Index d = static_cast<Eigen::Index>(target.space().dimension());
  orrery::RandomStream rng(7);
  Eigen::VectorXd x(d), grad(d);
  target.initial_point(rng, x);
  double best = std::numeric_limits<double>::infinity();
  volatile double sink = 0.0;
  for (int round = 0; round < 5; ++round) {
    const auto start = Clock::now();
    for (int i = 0; i < calls; ++i) {
      x[i % d] += 1e-9;  // a new point each call, as in a trajectory
      sink = sink + target.log_density_gradient(x, grad);
    }
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count() / calls);
  }
  return best;
}

void overhead(bool quick) {
  Built g = gaussian(1000, 1.0);
  const double t_grad = gradient_seconds(*g.target, quick ? 20000 : 1000000);
  std::printf("(b) 1000-D standard normal: one gradient evaluation %.1f ns\n", t_grad * 1e9);
  auto line = [&](const char* label, const Outcome& o) {
    const double per_step = o.seconds / o.evaluations;
    std::printf("  %-12s %9.0f gradients in %7.3f s: %8.1f ns per leapfrog step = %.2f x the gradient   %s\n", label,
                o.evaluations, o.seconds, per_step * 1e9, per_step / t_grad, o.statistics.c_str());
  };
  // The fastest of three runs: the machine is shared, and a run can only be slowed down.
  auto fastest = [&](auto sampler_tag, const orrery::ValueTable& options) {
    using S = typename decltype(sampler_tag)::type;
    Outcome best = run<S>(*g.target, options);
    for (int i = 0; i < (quick ? 0 : 2); ++i) {
      const Outcome o = run<S>(*g.target, options);
      if (o.seconds / o.evaluations < best.seconds / best.evaluations) best = o;
    }
    return best;
  };
  const std::int64_t warmup = quick ? 100 : 500, steps = quick ? 100 : 5000;
  const orrery::ValueTable options = {{"chains", 1}, {"warmup", warmup}, {"steps", steps}};
  constexpr auto nuts = std::type_identity<orrery::samplers::NutsSampler>{};
  constexpr auto hmc = std::type_identity<orrery::samplers::HmcSampler>{};
  std::printf(" whole runs (%lld warm-up + %lld draws, one chain): wall time / gradient evaluations\n",
              static_cast<long long>(warmup), static_cast<long long>(steps));
  line("nuts (diag)", fastest(nuts, options));
  line("hmc (diag)", fastest(hmc, options));

  // The marginal cost of a leapfrog step: two runs that differ only in
  // trajectory length, so what each iteration pays once (the momentum draw,
  // storing the draw, adaptation) cancels in the difference.
  auto marginal = [&](const char* label, const Outcome& short_run, const Outcome& long_run) {
    const double per_step = (long_run.seconds - short_run.seconds) / (long_run.evaluations - short_run.evaluations);
    std::printf("  %-12s %8.1f ns per extra leapfrog step = %.2f x the gradient (overhead %.2f x)\n", label,
                per_step * 1e9, per_step / t_grad, per_step / t_grad - 1.0);
  };
  std::printf(" marginal step: d(wall time) / d(gradient evaluations) between a short and a long trajectory\n");
  const orrery::ValueTable nuts_short = {{"chains", 1}, {"warmup", 0}, {"steps", steps}, {"initial_step_size", 0.4}};
  const orrery::ValueTable nuts_long = {{"chains", 1}, {"warmup", 0}, {"steps", steps}, {"initial_step_size", 0.1}};
  marginal("nuts (diag)", fastest(nuts, nuts_short), fastest(nuts, nuts_long));
  const orrery::ValueTable hmc_short = {{"chains", 1}, {"warmup", warmup}, {"steps", steps}, {"n_leapfrog", 10}};
  const orrery::ValueTable hmc_long = {{"chains", 1}, {"warmup", warmup}, {"steps", steps}, {"n_leapfrog", 40}};
  marginal("hmc (diag)", fastest(hmc, hmc_short), fastest(hmc, hmc_long));
  std::printf("target (issue 4): <= 2x the gradient (diagonal metric; a dense metric adds a d x d product per step "
              "by design)\n");
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const bool overhead_only = argc > 1 && std::strcmp(argv[1], "--overhead") == 0;
  std::printf("samplers_nuts%s: one thread\n", quick ? " (quick)" : "");
  if (!overhead_only) {
    efficiency(quick);
    eight_schools(quick);
  }
  overhead(quick);
  return 0;
}
