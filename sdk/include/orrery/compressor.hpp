// Compressor: data → a short summary vector (power spectrum bins, MOPED,
// a neural compressor).
//
// A compressor that learns (e.g. by maximising mutual information) does its
// training either in prepare() from its own simulator reference, or when a
// consumer calls train() with a simulation set; trained weights belong in the
// artifact cache so re-runs reuse them.
#pragma once

#include <Eigen/Core>
#include <cstddef>

#include "orrery/component.hpp"
#include "orrery/error.hpp"
#include "orrery/random.hpp"

namespace orrery {

class Context;

class ORRERY_API Compressor : public Component {
 public:
  static constexpr Kind kKind = Kind::Compressor;
  [[nodiscard]] Kind kind() const final { return kKind; }

  [[nodiscard]] virtual std::size_t summary_size() const = 0;
  /// Writes the summary of one data set into `summary`. Thread-safe.
  virtual void compress(const Eigen::Ref<const Eigen::VectorXd>& data, Eigen::Ref<Eigen::VectorXd> summary) const = 0;

  [[nodiscard]] virtual bool trainable() const { return false; }
  /// Fits the compressor to simulations: one column per simulation in both
  /// `thetas` (full parameter vectors) and `data`. Default: throws Error.
  virtual void train(const Eigen::Ref<const Eigen::MatrixXd>& /*thetas*/,
                     const Eigen::Ref<const Eigen::MatrixXd>& /*data*/, Context& /*ctx*/) {
    throw Error("this compressor is not trainable");
  }
};

}  // namespace orrery
