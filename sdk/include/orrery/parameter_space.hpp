// ParameterSpace: the parameters of an analysis as one flat vector.
//
// A space is a list of blocks. A block is either a named scalar (Ω_m, σ8) or a
// shaped, unnamed field (a [360, 360] convergence map, a [64, 64, 64] initial
// density field); both live in the same flat Eigen vector, at the block's
// offset, in C order. Samplers, targets and likelihoods see only that flat
// vector, so a 2-parameter cosmology and a 65 536-pixel map posterior go
// through the same interfaces.
//
// The kernel builds two spaces from `[parameters]`:
//  * the full space (every parameter, fixed ones included), which Models,
//    Likelihoods and Simulators receive, so they can look parameters up by
//    name whether or not they are sampled;
//  * the free space (sampled parameters only), which Targets expose to
//    Samplers.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "orrery/array.hpp"
#include "orrery/error.hpp"

namespace orrery {

struct ParameterBlock {
  std::string name;     ///< "omega_m", or a field name such as "kappa"
  Shape shape;          ///< empty for a scalar
  std::string latex;    ///< label for plots (GetDist .paramnames); may be empty
  bool fixed = false;   ///< fixed parameters are never sampled
  double lower = -std::numeric_limits<double>::infinity();  ///< support, same for every element
  double upper = std::numeric_limits<double>::infinity();
  Eigen::VectorXd fiducial;  ///< size() entries, or empty if none given (fixed: the value)
  Eigen::VectorXd truth;     ///< size() entries, or empty if none given
  std::size_t offset = 0;    ///< position of the first element in the flat vector

  [[nodiscard]] bool is_scalar() const { return shape.empty(); }
  [[nodiscard]] std::size_t size() const { return shape_size(shape); }
};

class ParameterSpace {
 public:
  ParameterSpace() = default;

  /// Appends a block, assigning its offset. Throws Error on a duplicate name.
  ParameterBlock& add(ParameterBlock block) {
    if (find(block.name)) throw Error("parameter '" + block.name + "' is defined twice");
    block.offset = dimension_;
    dimension_ += block.size();
    blocks_.push_back(std::move(block));
    return blocks_.back();
  }

  /// Sets the support of every element of block `name` (the kernel does this
  /// once the block's prior is known).
  void set_bounds(std::string_view name, double lower, double upper) {
    for (auto& b : blocks_)
      if (b.name == name) {
        b.lower = lower;
        b.upper = upper;
        return;
      }
    throw Error("no parameter called '" + std::string(name) + "'");
  }

  [[nodiscard]] std::size_t dimension() const { return dimension_; }
  [[nodiscard]] const std::vector<ParameterBlock>& blocks() const { return blocks_; }

  [[nodiscard]] const ParameterBlock* find(std::string_view name) const {
    for (const auto& b : blocks_)
      if (b.name == name) return &b;
    return nullptr;
  }
  /// The block called `name`; throws Error listing the known names if absent.
  [[nodiscard]] const ParameterBlock& block(std::string_view name) const {
    if (const ParameterBlock* b = find(name)) return *b;
    std::string known;
    for (const auto& b : blocks_) known += (known.empty() ? "" : ", ") + b.name;
    throw Error("no parameter called '" + std::string(name) + "' (parameters: " + known + ")");
  }
  /// Flat index of a scalar parameter.
  [[nodiscard]] std::size_t index(std::string_view name) const {
    const ParameterBlock& b = block(name);
    if (!b.is_scalar()) throw Error("parameter '" + b.name + "' is a field of shape " + shape_string(b.shape));
    return b.offset;
  }

  /// One name per flat element: "omega_m", "kappa[0,0]", ... (for chain columns).
  [[nodiscard]] std::vector<std::string> element_names() const {
    std::vector<std::string> out;
    out.reserve(dimension_);
    for (const auto& b : blocks_) {
      if (b.is_scalar()) {
        out.push_back(b.name);
        continue;
      }
      std::vector<std::size_t> idx(b.shape.size(), 0);
      for (std::size_t n = 0; n < b.size(); ++n) {
        std::string s = b.name + "[";
        for (std::size_t d = 0; d < idx.size(); ++d) s += (d ? "," : "") + std::to_string(idx[d]);
        out.push_back(s + "]");
        for (std::size_t d = idx.size(); d-- > 0;) {
          if (++idx[d] < b.shape[d]) break;
          idx[d] = 0;
        }
      }
    }
    return out;
  }

 private:
  std::vector<ParameterBlock> blocks_;
  std::size_t dimension_ = 0;
};

}  // namespace orrery
