// Helpers for the sbi plugin's tests: a context with an artifact cache and an
// observation (the shared TestContext has neither), and small analytic
// components defined here so the tests need neither the kernel nor a network:
//   ShiftSimulator        x = θ_full[0..d) + σ ε  (d = full dimension)
//   FlakySimulator        the same, but throws SimulationFailure when θ_0 > throw_above
//                         and returns NaN when θ_0 < nan_below
//   IidPriorTarget        a Target over a free space: every element N(0, s²),
//                         or uniform on [lo, hi] (exact draws in initial_point)
//   LinearGaussianEstimator  q(a | b) = N(a; W [b; 1], diag(v)) fitted by least squares;
//                         analytic gradients, exact save/load, counts its fits
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

#include <orrery/density_estimator.hpp>
#include <orrery/error.hpp>
#include <orrery/simulator.hpp>
#include <orrery/target.hpp>

#include "services.hpp"  // kernel::DirectoryCache
#include "support/test_context.hpp"

namespace orrery::sbi::test {

using orrery::test::TestContext;

/// A fresh folder under the temporary directory, removed at the end.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("orrery-sbi-test-" + std::to_string(::getpid()) + "-" + tag + "-" + std::to_string(counter++));
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
class SbiContext final : public Context {
 public:
  SbiContext(TestContext& base, const std::filesystem::path& cache_root, std::string key = "key",
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

class LinearGaussianEstimator final : public DensityEstimator {
 public:
  void fit(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
           Context& ctx) override {
    ++fits;
    fit_stream_value = ctx.rng().split(7).next();
    Eigen::MatrixXd design(b.rows() + 1, b.cols());
    design.topRows(b.rows()) = b;
    design.bottomRows(1).setOnes();
    // W = a Dᵀ (D Dᵀ)⁻¹
    const Eigen::MatrixXd gram = design * design.transpose();
    w_ = gram.ldlt().solve(design * a.transpose()).transpose();
    const Eigen::MatrixXd residual = a - w_ * design;
    var_ = residual.rowwise().squaredNorm() / static_cast<double>(a.cols());
    pairs = a.cols();
  }
  [[nodiscard]] bool fitted() const override { return w_.size() > 0; }
  [[nodiscard]] std::size_t dim_a() const override { return static_cast<std::size_t>(w_.rows()); }
  [[nodiscard]] std::size_t dim_b() const override { return w_.size() ? static_cast<std::size_t>(w_.cols() - 1) : 0; }
  [[nodiscard]] Eigen::VectorXd mean(const Eigen::Ref<const Eigen::VectorXd>& b) const {
    return w_.leftCols(b.size()) * b + w_.col(b.size());
  }
  void log_prob(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    const double norm = -0.5 * (var_.array().log().sum() + static_cast<double>(var_.size()) * std::log(2 * std::numbers::pi));
    for (Eigen::Index j = 0; j < a.cols(); ++j)
      out[j] = norm - 0.5 * ((a.col(j) - mean(b.col(j))).array().square() / var_.array()).sum();
  }
  void sample(const Eigen::Ref<const Eigen::VectorXd>& b, RandomStream& rng,
              Eigen::Ref<Eigen::MatrixXd> out) const override {
    const Eigen::VectorXd m = mean(b);
    for (Eigen::Index j = 0; j < out.cols(); ++j)
      for (Eigen::Index i = 0; i < out.rows(); ++i) out(i, j) = m[i] + std::sqrt(var_[i]) * rng.normal();
  }
  [[nodiscard]] bool has_gradient() const override { return true; }
  void log_prob_gradient(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                         Eigen::Ref<Eigen::VectorXd> out, Eigen::Ref<Eigen::MatrixXd> grad_a,
                         Eigen::Ref<Eigen::MatrixXd> grad_b) const override {
    log_prob(a, b, out);
    for (Eigen::Index j = 0; j < a.cols(); ++j) {
      const Eigen::VectorXd r = ((a.col(j) - mean(b.col(j))).array() / var_.array()).matrix();
      grad_a.col(j) = -r;
      grad_b.col(j) = w_.leftCols(b.rows()).transpose() * r;
    }
  }
  void save(const std::filesystem::path& dir) const override {
    std::ofstream out(dir / "linear.txt");
    out.precision(17);
    out << w_.rows() << " " << w_.cols() << "\n";
    for (Eigen::Index i = 0; i < w_.size(); ++i) out << w_.data()[i] << "\n";
    for (Eigen::Index i = 0; i < var_.size(); ++i) out << var_[i] << "\n";
  }
  void load(const std::filesystem::path& dir) override {
    std::ifstream in(dir / "linear.txt");
    Eigen::Index rows = 0, cols = 0;
    if (!(in >> rows >> cols)) throw Error("no linear.txt in " + dir.string());
    w_.resize(rows, cols);
    var_.resize(rows);
    for (Eigen::Index i = 0; i < w_.size(); ++i) in >> w_.data()[i];
    for (Eigen::Index i = 0; i < var_.size(); ++i) in >> var_[i];
    ++loads;
  }

  int fits = 0;
  int loads = 0;
  Eigen::Index pairs = 0;
  std::uint64_t fit_stream_value = 0;

 private:
  Eigen::MatrixXd w_;
  Eigen::VectorXd var_;
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

}  // namespace orrery::sbi::test
