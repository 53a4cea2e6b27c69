// bench/samplers_ensemble: samplers.ensemble against emcee (Foreman-Mackey et
// al. 2013) on the Rosenbrock density of the emcee paper,
// log p = -(100 (y - x²)² + (1 - x)²) / 20, with emcee's defaults: the
// stretch move (a = 2), 32 walkers, 20 000 steps, one thread, the same
// initial distribution (x ~ N(1, 1), y = x² + N(0, 0.3²)).
//
// Both are measured in the same run; emcee through `/usr/bin/python3` (Debian:
// python3-emcee) via popen. Reported: wall time of the sampling alone, log-
// density evaluations per second, and effective sample size per second. ESS
// = walkers × steps / τ, with τ the larger over (x, y) of the integrated
// autocorrelation time from emcee's estimator (the walker-averaged
// autocorrelation function, Sokal's automatic window with c = 5), computed
// here by one C++ implementation on both sets of chains (emcee's chain is
// dumped to a file) so the comparison uses the same estimator. emcee's own
// get_autocorr_time() is printed alongside as a check of that estimator.
//
// Usage: samplers_ensemble [--quick]   (--quick: 500 steps, for the test suite)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

#include <orrery/context.hpp>
#include <orrery/target.hpp>

#include "bench_services.hpp"
#include "ensemble_sampler.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kWalkers = 32;

class Rosenbrock final : public orrery::Target {
 public:
  Rosenbrock() {
    for (const char* name : {"x", "y"}) {
      orrery::ParameterBlock block;
      block.name = name;
      space_.add(std::move(block));
    }
  }
  [[nodiscard]] const orrery::ParameterSpace& space() const override { return space_; }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override {
    const double a = x[1] - x[0] * x[0];
    const double b = 1.0 - x[0];
    return -(100.0 * a * a + b * b) / 20.0;
  }
  void initial_point(orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override {
    x[0] = rng.normal(1.0, 1.0);
    x[1] = x[0] * x[0] + rng.normal(0.0, 0.3);
  }

 private:
  orrery::ParameterSpace space_;
};

using orrery::bench::NoCache;
using orrery::bench::NoProgress;
using orrery::bench::SerialExecutor;
using orrery::bench::SilentLogger;

/// The smallest Context that runs a sampler: all options given explicitly,
/// one reference, one thread.
class BenchContext final : public orrery::Context {
 public:
  BenchContext(orrery::ValueTable options, orrery::Target& target)
      : table_(std::move(options)), options_(table_, "bench"), target_(target), rng_(20240601) {}
  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] const std::string& plugin() const override { return plugin_; }
  [[nodiscard]] const orrery::Options& options() const override { return options_; }
  [[nodiscard]] const orrery::ParameterSpace& parameters() const override { return target_.space(); }
  orrery::Component& reference(std::string_view /*key*/, std::size_t /*index*/) override { return target_; }
  [[nodiscard]] std::size_t reference_count(std::string_view /*key*/) const override { return 1; }
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
  std::string name_ = "ensemble";
  std::string plugin_ = "samplers.ensemble";
  orrery::Value table_;
  orrery::Options options_;
  orrery::Target& target_;
  orrery::RandomStream rng_;
  SilentLogger logger_;
  SerialExecutor executor_;
  NoCache cache_;
};

/// chains[w][t] for one coordinate.
using Series = std::vector<std::vector<double>>;

/// emcee's integrated_time (emcee/autocorr.py) for one coordinate: the
/// normalised autocorrelation function of each walker (own mean removed),
/// averaged over walkers; τ(M) = 2 Σ_{k=0}^{M} ρ(k) - 1, at the first M with
/// M ≥ 5 τ(M). Lags are summed directly (the same numbers as emcee's FFT).
double integrated_time(const Series& chains) {
  const std::size_t walkers = chains.size();
  const std::size_t n = chains.front().size();
  std::vector<std::vector<double>> centred(walkers);
  std::vector<double> lag0(walkers, 0.0);
  for (std::size_t w = 0; w < walkers; ++w) {
    double mean = 0.0;
    for (double v : chains[w]) mean += v;
    mean /= static_cast<double>(n);
    centred[w].resize(n);
    for (std::size_t t = 0; t < n; ++t) {
      centred[w][t] = chains[w][t] - mean;
      lag0[w] += centred[w][t] * centred[w][t];
    }
  }
  double cumulative = 1.0;  // ρ(0)
  for (std::size_t m = 1; m < n; ++m) {
    double rho = 0.0;
    for (std::size_t w = 0; w < walkers; ++w) {
      const double* c = centred[w].data();
      double sum = 0.0;
      for (std::size_t t = 0; t + m < n; ++t) sum += c[t] * c[t + m];
      rho += sum / lag0[w];
    }
    cumulative += rho / static_cast<double>(walkers);
    const double tau = 2.0 * cumulative - 1.0;
    if (static_cast<double>(m) >= 5.0 * tau) return tau;
  }
  return 2.0 * cumulative - 1.0;  // no window found: the chain is too short for a reliable τ
}

struct Result {
  double seconds = 0.0;
  double evaluations = 0.0;
  double tau_x = 0.0;
  double tau_y = 0.0;
  double mean_x = 0.0;
  double mean_y = 0.0;
  double acceptance = 0.0;
};

void summarise(Result& r, const Series& xs, const Series& ys) {
  r.tau_x = integrated_time(xs);
  r.tau_y = integrated_time(ys);
  double sx = 0.0, sy = 0.0, count = 0.0;
  for (std::size_t w = 0; w < xs.size(); ++w)
    for (std::size_t t = 0; t < xs[w].size(); ++t) {
      sx += xs[w][t];
      sy += ys[w][t];
      count += 1.0;
    }
  r.mean_x = sx / count;
  r.mean_y = sy / count;
}

Result run_ours(int steps) {
  Rosenbrock target;
  BenchContext ctx({{"target", "@posterior"},
                    {"walkers", kWalkers},
                    {"steps", steps},
                    {"warmup", 0},
                    {"thin", 1},
                    {"stretch_weight", 1.0},
                    {"de_weight", 0.0},
                    {"walk_weight", 0.0},
                    {"stretch_a", 2.0},
                    {"de_gamma", 0.0},
                    {"de_sigma", 1e-5},
                    {"walk_size", 0},
                    {"parallel", "never"},
                    {"unconstrained", true},
                    {"until_converged", false},
                    {"target_rhat", 1.01},
                    {"target_ess", 400.0},
                    {"check_every", 100}},
                   target);
  orrery::samplers::EnsembleSampler sampler(ctx);
  const auto start = Clock::now();
  const orrery::SampleSet set = sampler.run(ctx);
  Result r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  Series xs, ys;
  for (const orrery::Chain& chain : set.chains) {
    r.evaluations += static_cast<double>(chain.evaluations);
    r.acceptance += chain.acceptance_rate / static_cast<double>(set.chains.size());
    xs.emplace_back(chain.draws.col(0).begin(), chain.draws.col(0).end());
    ys.emplace_back(chain.draws.col(1).begin(), chain.draws.col(1).end());
  }
  summarise(r, xs, ys);
  return r;
}

/// Runs emcee; false if it is unavailable.
bool run_emcee(int steps, Result& r, double& emcee_tau_x, double& emcee_tau_y) {
  const fs::path chain_file =
      fs::temp_directory_path() / ("orrery-bench-emcee-" + std::to_string(::getpid()) + ".bin");
  const std::string script =
      "import time, numpy as np, emcee\n"
      "def log_prob(p):\n"
      "    x, y = p\n"
      "    return -(100.0 * (y - x * x) ** 2 + (1.0 - x) ** 2) / 20.0\n"
      "nw, steps = " + std::to_string(kWalkers) + ", " + std::to_string(steps) + "\n"
      "rng = np.random.default_rng(1)\n"
      "x = rng.normal(1.0, 1.0, nw)\n"
      "p0 = np.stack([x, x * x + rng.normal(0.0, 0.3, nw)], axis=1)\n"
      "s = emcee.EnsembleSampler(nw, 2, log_prob, moves=emcee.moves.StretchMove(a=2.0))\n"
      "s._random.seed(1)\n"
      "t = time.perf_counter()\n"
      "s.run_mcmc(p0, steps, progress=False)\n"
      "t = time.perf_counter() - t\n"
      "chain = s.get_chain()\n"
      "np.ascontiguousarray(chain, dtype='<f8').tofile('" + chain_file.string() + "')\n"
      "tau = s.get_autocorr_time(quiet=True)\n"
      "print(t, nw * (steps + 1), np.mean(s.acceptance_fraction), tau[0], tau[1])\n";
  const fs::path script_file = chain_file.string() + ".py";
  std::ofstream(script_file) << script;
  FILE* pipe = ::popen(("/usr/bin/python3 '" + script_file.string() + "' 2>/dev/null").c_str(), "r");
  bool ok = false;
  if (pipe) {
    ok = std::fscanf(pipe, "%lf %lf %lf %lf %lf", &r.seconds, &r.evaluations, &r.acceptance, &emcee_tau_x,
                     &emcee_tau_y) == 5;
    ::pclose(pipe);
  }
  fs::remove(script_file);
  if (ok) {
    // get_chain(): (steps, walkers, 2), C order.
    std::vector<double> flat(static_cast<std::size_t>(steps) * kWalkers * 2);
    std::ifstream in(chain_file, std::ios::binary);
    in.read(reinterpret_cast<char*>(flat.data()), static_cast<std::streamsize>(flat.size() * sizeof(double)));
    ok = static_cast<bool>(in);
    Series xs(kWalkers, std::vector<double>(static_cast<std::size_t>(steps)));
    Series ys = xs;
    for (std::size_t t = 0; t < static_cast<std::size_t>(steps); ++t)
      for (std::size_t w = 0; w < kWalkers; ++w) {
        xs[w][t] = flat[(t * kWalkers + w) * 2];
        ys[w][t] = flat[(t * kWalkers + w) * 2 + 1];
      }
    if (ok) summarise(r, xs, ys);
  }
  fs::remove(chain_file);
  return ok;
}

double ess(const Result& r, int steps) {
  return static_cast<double>(kWalkers) * steps / std::max(r.tau_x, r.tau_y);
}

void print(const char* label, const Result& r, int steps) {
  std::printf("  %-6s wall %8.3f s   %10.3g evals/s   tau(x) %7.1f  tau(y) %7.1f   ESS %8.0f   ESS/s %10.1f   "
              "acceptance %.3f   mean (x, y) = (%.2f, %.2f)\n",
              label, r.seconds, r.evaluations / r.seconds, r.tau_x, r.tau_y, ess(r, steps), ess(r, steps) / r.seconds,
              r.acceptance, r.mean_x, r.mean_y);
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int steps = quick ? 500 : 20000;
  std::printf("Rosenbrock (emcee paper), stretch move a = 2, %d walkers, %d steps, 1 thread%s\n", kWalkers, steps,
              quick ? " (quick)" : "");
  std::printf("analytic means: x = 1, y = 11; tau from emcee's estimator (c = 5) applied to both chains\n");
  const Result ours = run_ours(steps);
  print("orrery", ours, steps);

  Result theirs;
  double emcee_tau_x = 0.0, emcee_tau_y = 0.0;
  if (!run_emcee(steps, theirs, emcee_tau_x, emcee_tau_y)) {
    std::printf("  emcee unavailable (apt-get install python3-emcee); orrery numbers only\n");
    return 0;
  }
  print("emcee", theirs, steps);
  std::printf("  emcee's own get_autocorr_time(): tau(x) %.1f  tau(y) %.1f\n", emcee_tau_x, emcee_tau_y);
  std::printf("ratios orrery / emcee: wall time %.4f, evals/s %.1fx, ESS/s %.1fx\n", ours.seconds / theirs.seconds,
              (ours.evaluations / ours.seconds) / (theirs.evaluations / theirs.seconds),
              (ess(ours, steps) / ours.seconds) / (ess(theirs, steps) / theirs.seconds));
  return 0;
}
