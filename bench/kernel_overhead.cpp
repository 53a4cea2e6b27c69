// bench/kernel_overhead: what the kernel's interfaces cost.
//
// 1. Evaluating "@posterior" (normal priors + a correlated Gaussian
//    likelihood, loaded from the core plugin and composed by the kernel) versus
//    the same arithmetic written directly in one function, for 2 and 1000
//    parameters. Target: kernel / direct < 1.10.
// 2. Wall time of `orrery plugins` (target: < 0.3 s).
//
// Usage: kernel_overhead [--quick]   (--quick: tiny sizes, for the test suite)
#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>
#include <unistd.h>

#include <orrery/random.hpp>
#include <orrery/target.hpp>

#include "analysis.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Problem {
  Eigen::VectorXd mean;
  Eigen::MatrixXd cov;
  double prior_sd = 3.0;
};

Problem make_problem(int d, std::uint64_t seed) {
  orrery::RandomStream rng(seed);
  Problem p;
  p.mean.resize(d);
  for (int i = 0; i < d; ++i) p.mean[i] = rng.normal();
  p.cov.resize(d, d);
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j) p.cov(i, j) = std::pow(0.6, std::abs(i - j)) * (1.0 + 0.1 * ((i + j) % 3));
  p.cov = 0.5 * (p.cov + p.cov.transpose());
  p.cov.diagonal().array() += 0.5;
  return p;
}

std::string config_text(const Problem& p) {
  std::ostringstream os;
  os.precision(17);
  const auto d = p.mean.size();
  os << "[analysis]\nname = \"bench\"\nseed = 1\n[parameters]\n";
  for (Eigen::Index i = 0; i < d; ++i) os << "p" << i << " = { prior = \"normal\", mean = 0.0, sd = " << p.prior_sd << " }\n";
  os << "[components.like]\nplugin = \"core.gaussian_likelihood\"\nmean = [";
  for (Eigen::Index i = 0; i < d; ++i) os << (i ? ", " : "") << p.mean[i];
  os << "]\ncov = [";
  for (Eigen::Index i = 0; i < d; ++i) {
    os << (i ? ",\n" : "") << "[";
    for (Eigen::Index j = 0; j < d; ++j) os << (j ? ", " : "") << p.cov(i, j);
    os << "]";
  }
  os << "]\n[components.sampler]\nplugin = \"samplers.metropolis\"\n";
  return os.str();
}

/// The same posterior, computed in one plain function.
class DirectPosterior {
 public:
  explicit DirectPosterior(const Problem& p) : mean_(p.mean), sd_(p.prior_sd) {
    chol_ = Eigen::LLT<Eigen::MatrixXd>(p.cov).matrixL();
    const double k = static_cast<double>(p.mean.size());
    log_norm_ = -0.5 * k * std::log(2 * std::numbers::pi) - chol_.diagonal().array().log().sum();
    prior_norm_ = k * (-std::log(sd_) - 0.5 * std::log(2 * std::numbers::pi));
    z_.resize(p.mean.size());
  }
  double operator()(const Eigen::VectorXd& x) {
    const double prior = -0.5 * (x.array() / sd_).square().sum() + prior_norm_;
    z_ = x - mean_;
    chol_.triangularView<Eigen::Lower>().solveInPlace(z_);
    return prior + log_norm_ - 0.5 * z_.squaredNorm();
  }

 private:
  Eigen::VectorXd mean_;
  Eigen::MatrixXd chol_;
  Eigen::VectorXd z_;
  double sd_, log_norm_, prior_norm_;
};

template <typename F>
double best_seconds(int repeats, F&& f) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

double bench_posterior(int d, int points, int loops, const fs::path& work) {
  const Problem p = make_problem(d, 7);
  const fs::path config = work / ("bench_" + std::to_string(d) + ".toml");
  std::ofstream(config) << config_text(p);
  orrery::kernel::Analysis analysis(config, {});
  analysis.construct();
  const auto& target = static_cast<const orrery::Target&>(analysis.instance(*analysis.graph().find("posterior")));

  orrery::RandomStream rng(3);
  Eigen::MatrixXd xs(d, points);
  rng.fill_normal(xs);
  DirectPosterior direct(p);

  // Same numbers both ways, or the comparison means nothing.
  for (int j = 0; j < points; ++j) {
    const double a = target.log_density(xs.col(j)), b = direct(xs.col(j));
    if (std::abs(a - b) > 1e-9 * std::max(1.0, std::abs(b))) {
      std::fprintf(stderr, "mismatch at point %d: kernel %.17g, direct %.17g\n", j, a, b);
      std::exit(1);
    }
  }
  double sink = 0;
  double t_kernel = 1e300, t_direct = 1e300;
  for (int round = 0; round < 5; ++round) {  // interleaved, best of each
    t_kernel = std::min(t_kernel, best_seconds(3, [&] {
      for (int l = 0; l < loops; ++l)
        for (int j = 0; j < points; ++j) sink += target.log_density(xs.col(j));
    }));
    t_direct = std::min(t_direct, best_seconds(3, [&] {
      for (int l = 0; l < loops; ++l)
        for (int j = 0; j < points; ++j) {
          const Eigen::VectorXd& x = xs.col(j);
          sink += direct(x);
        }
    }));
  }
  const double n = static_cast<double>(points) * loops;
  std::printf("posterior, %4d parameters: kernel %9.1f ns/eval, direct %9.1f ns/eval, ratio %.3f  (target < 1.10)%s\n", d,
              1e9 * t_kernel / n, 1e9 * t_direct / n, t_kernel / t_direct, sink == 42 ? " " : "");
  return t_kernel / t_direct;
}

double bench_plugins_command(const std::string& orrery, int runs) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    if (std::system((orrery + " plugins > /dev/null").c_str()) != 0) {
      std::fprintf(stderr, "'orrery plugins' failed\n");
      std::exit(1);
    }
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  std::printf("orrery plugins: median %.1f ms over %d runs (target < 300 ms)\n", 1e3 * median, runs);
  return median;
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const fs::path work = fs::temp_directory_path() / ("orrery-bench-" + std::to_string(::getpid()));
  fs::create_directories(work);
  std::printf("kernel_overhead%s\n", quick ? " (quick mode: sizes too small for real figures)" : "");
  const double r2 = bench_posterior(2, quick ? 100 : 1000, quick ? 10 : 2000, work);
  const double r1000 = bench_posterior(quick ? 50 : 1000, quick ? 10 : 100, quick ? 2 : 20, work);
  const double plugins = bench_plugins_command(ORRERY_BIN_PATH, quick ? 3 : 21);
  fs::remove_all(work);
  const bool ok = r2 < 1.10 && r1000 < 1.10 && plugins < 0.3;
  std::printf("%s\n", ok ? "all targets met" : "TARGET MISSED");
  return 0;
}
