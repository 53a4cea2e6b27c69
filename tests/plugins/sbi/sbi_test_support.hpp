// Helpers for the sbi plugin's tests: those of the simulation library's tests
// (simulation_test_support.hpp: a context with a cache, analytic simulators
// and priors), plus
//   LinearGaussianEstimator  q(a | b) = N(a; W [b; 1], diag(v)) fitted by least squares;
//                         analytic gradients, exact save/load, counts its fits
#pragma once

#include <Eigen/Dense>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <orrery/density_estimator.hpp>
#include <orrery/error.hpp>

#include "simulation_test_support.hpp"

namespace orrery::sbi::test {

using namespace orrery::simulation::test;

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
  /// The fitted variances v (q's covariance is diag(v) for every b).
  [[nodiscard]] const Eigen::VectorXd& variance() const { return var_; }
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

}  // namespace orrery::sbi::test
