// DensityEstimator: a conditional density q(a | b) learned from pairs
// (mixture density networks, normalizing flows, ensembles of them).
//
// Used as a likelihood (a = data summary, b = θ: NLE) or a posterior
// (a = θ, b = data summary: NPE). Batches are column-major: one column per
// pair. After fit() or load(), dim_a() and dim_b() are known.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <filesystem>

#include "orrery/component.hpp"
#include "orrery/error.hpp"
#include "orrery/random.hpp"

namespace orrery {

class Context;

class ORRERY_API DensityEstimator : public Component {
 public:
  static constexpr Kind kKind = Kind::DensityEstimator;
  [[nodiscard]] Kind kind() const final { return kKind; }

  /// Trains on pairs (a.col(i), b.col(i)). Uses ctx for randomness, progress
  /// and logging. May be called again to retrain from scratch.
  virtual void fit(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                   Context& ctx) = 0;
  [[nodiscard]] virtual bool fitted() const = 0;
  [[nodiscard]] virtual std::size_t dim_a() const = 0;
  [[nodiscard]] virtual std::size_t dim_b() const = 0;

  /// log q(a.col(i) | b.col(i)) into out[i]. Thread-safe once fitted.
  virtual void log_prob(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                        Eigen::Ref<Eigen::VectorXd> out) const = 0;

  /// Writes out.cols() independent draws of a | b into `out` (dim_a × n).
  virtual void sample(const Eigen::Ref<const Eigen::VectorXd>& b, RandomStream& rng,
                      Eigen::Ref<Eigen::MatrixXd> out) const = 0;

  [[nodiscard]] virtual bool has_gradient() const { return false; }
  /// Writes d log q / d a and d log q / d b (same shapes as a and b) and the
  /// log densities. Default: throws Error.
  virtual void log_prob_gradient(const Eigen::Ref<const Eigen::MatrixXd>& /*a*/,
                                 const Eigen::Ref<const Eigen::MatrixXd>& /*b*/, Eigen::Ref<Eigen::VectorXd> /*out*/,
                                 Eigen::Ref<Eigen::MatrixXd> /*grad_a*/, Eigen::Ref<Eigen::MatrixXd> /*grad_b*/) const {
    throw Error("this density estimator has no gradient");
  }

  /// Persists the fitted state into directory `dir` (created by the caller);
  /// load() restores it exactly.
  virtual void save(const std::filesystem::path& dir) const = 0;
  virtual void load(const std::filesystem::path& dir) = 0;
};

}  // namespace orrery
