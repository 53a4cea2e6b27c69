// Helpers for the tests of the simulation library (plugins/simulation) and of
// the components built on it (the sbi plugin's tests include this file): a
// context with an artifact cache and an observation (the shared TestContext
// has neither), and small analytic components, so the tests need neither the
// kernel nor a network:
//   ShiftSimulator        x = θ_full[0..d) + σ ε  (d = full dimension)
//   FlakySimulator        the same, but throws SimulationFailure when θ_0 > throw_above
//                         and returns NaN when θ_0 < nan_below
//   IidPriorTarget        a Target over a free space: every element N(0, s²),
//                         or uniform on [lo, hi] (exact draws in initial_point)
#pragma once

#include <Eigen/Dense>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <numbers>
#include <optional>
#include <string>

#include <unistd.h>

#include <orrery/error.hpp>
#include <orrery/simulator.hpp>
#include <orrery/target.hpp>

#include "services.hpp"  // kernel::DirectoryCache
#include "support/test_context.hpp"

namespace orrery::simulation::test {

using orrery::test::TestContext;

/// A fresh folder under the temporary directory, removed at the end.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("orrery-simulation-test-" + std::to_string(::getpid()) + "-" + tag + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A TestContext (options, parameters, references, threads, log) plus an
/// artifact cache in `cache_root` under key `key` and an optional observation.
class CachedContext final : public Context {
 public:
  CachedContext(TestContext& base, const std::filesystem::path& cache_root, std::string key = "key",
             std::optional<Array> observation = std::nullopt)
      : base_(base), cache_(cache_root, std::move(key), false), observation_(std::move(observation)) {}

  [[nodiscard]] const std::string& name() const override { return base_.name(); }
  [[nodiscard]] const std::string& plugin() const override { return base_.plugin(); }
  [[nodiscard]] const Options& options() const override { return base_.options(); }
  [[nodiscard]] const ParameterSpace& parameters() const override { return base_.parameters(); }
  Component& reference(std::string_view key, std::size_t index = 0) override { return base_.reference(key, index); }
  [[nodiscard]] std::size_t reference_count(std::string_view key) const override {
    return base_.reference_count(key);
  }
  RandomStream& rng() override { return base_.rng(); }
  Logger& logger() override { return base_.logger(); }
  std::unique_ptr<Progress> progress(std::string_view label, std::uint64_t total) override {
    return base_.progress(label, total);
  }
  Executor& executor() override { return base_.executor(); }
  ArtifactCache& cache() override { return cache_; }
  [[nodiscard]] std::filesystem::path output_dir() const override { return base_.output_dir(); }
  [[nodiscard]] const Array* observation() const override { return observation_ ? &*observation_ : nullptr; }

 private:
  TestContext& base_;
  kernel::DirectoryCache cache_;
  std::optional<Array> observation_;
};

class ShiftSimulator : public Simulator {
 public:
  ShiftSimulator(std::size_t dim, double sigma) : dim_(dim), sigma_(sigma) {}
  [[nodiscard]] Shape output_shape() const override { return {dim_}; }
  void simulate(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    for (Eigen::Index j = 0; j < out.size(); ++j) out[j] = theta[j] + sigma_ * rng.normal();
  }

 private:
  std::size_t dim_;
  double sigma_;
};

class FlakySimulator final : public ShiftSimulator {
 public:
  FlakySimulator(std::size_t dim, double sigma, double throw_above, double nan_below)
      : ShiftSimulator(dim, sigma), throw_above_(throw_above), nan_below_(nan_below) {}
  void simulate(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    if (theta[0] > throw_above_) throw SimulationFailure("solver diverged (test)");
    ShiftSimulator::simulate(theta, rng, out);
    if (theta[0] < nan_below_) out[out.size() - 1] = std::numeric_limits<double>::quiet_NaN();
  }

 private:
  double throw_above_, nan_below_;
};

class IidPriorTarget final : public Target {
 public:
  /// Normal N(0, scale²) per element.
  IidPriorTarget(ParameterSpace space, double scale) : space_(std::move(space)), scale_(scale) {}
  /// Uniform on [lo, hi] per element.
  IidPriorTarget(ParameterSpace space, double lo, double hi) : space_(std::move(space)), lo_(lo), hi_(hi), uniform_(true) {}

  [[nodiscard]] const ParameterSpace& space() const override { return space_; }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override {
    if (uniform_) {
      for (Eigen::Index i = 0; i < x.size(); ++i)
        if (!(x[i] >= lo_ && x[i] <= hi_)) return -std::numeric_limits<double>::infinity();
      return -static_cast<double>(x.size()) * std::log(hi_ - lo_);
    }
    return -0.5 * x.squaredNorm() / (scale_ * scale_);
  }
  void initial_point(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override {
    for (Eigen::Index i = 0; i < x.size(); ++i) x[i] = uniform_ ? rng.uniform(lo_, hi_) : scale_ * rng.normal();
  }

 private:
  ParameterSpace space_;
  double scale_ = 1.0, lo_ = 0.0, hi_ = 1.0;
  bool uniform_ = false;
};

/// One free block `theta` of shape [d], and optionally a fixed scalar `c` after it.
inline ParameterSpace theta_space(std::size_t d, std::optional<double> fixed_c = std::nullopt) {
  ParameterSpace space;
  ParameterBlock theta;
  theta.name = "theta";
  theta.shape = {d};
  space.add(std::move(theta));
  if (fixed_c) {
    ParameterBlock c;
    c.name = "c";
    c.fixed = true;
    c.fiducial = Eigen::VectorXd::Constant(1, *fixed_c);
    space.add(std::move(c));
  }
  return space;
}

/// An observation Array of shape `shape` holding `values`.
inline Array observation(Shape shape, std::initializer_list<double> values) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (double x : values) v[i++] = x;
  return Array(std::move(shape), std::move(v));
}

}  // namespace orrery::simulation::test
