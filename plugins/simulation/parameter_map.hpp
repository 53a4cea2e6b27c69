// ParameterMap: between a target's free vector and the analysis's full vector.
//
// Simulators and likelihoods receive θ in the full ParameterSpace
// (Context::parameters(), fixed blocks included); a Target such as "@prior"
// works on the free blocks only (its space()). Blocks are matched by name, so
// the two spaces may order them differently. Every block of the full space that
// the target does not cover must be fixed: it takes its fiducial, which for a
// fixed block holds its value.
//
// All methods are const and thread-safe, write into caller-owned buffers and
// allocate nothing.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <vector>

#include <orrery/parameter_space.hpp>

namespace orrery::simulation {

class ParameterMap {
 public:
  ParameterMap() = default;  ///< empty: both spaces have no parameters
  /// Throws Error naming the block when a free block is not in `full`, has
  /// another size, or when a block of `full` is neither covered by `free` nor
  /// fixed (with its value).
  ParameterMap(const ParameterSpace& free, const ParameterSpace& full);

  [[nodiscard]] std::size_t free_dimension() const { return free_dimension_; }
  [[nodiscard]] std::size_t full_dimension() const { return static_cast<std::size_t>(fixed_values_.size()); }

  /// theta (full) = fixed values, with x's blocks written at their full offsets.
  void to_full(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> theta) const;
  /// x (free) = the free blocks of theta.
  void to_free(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::VectorXd> x) const;
  /// A gradient over the free blocks into the full vector: zero for fixed blocks.
  void gradient_to_full(const Eigen::Ref<const Eigen::VectorXd>& grad_free,
                        Eigen::Ref<Eigen::VectorXd> grad_full) const;

 private:
  struct Segment {
    Eigen::Index free_offset;
    Eigen::Index full_offset;
    Eigen::Index size;
  };
  std::vector<Segment> segments_;
  Eigen::VectorXd fixed_values_;  ///< the full vector with free blocks at 0
  std::size_t free_dimension_ = 0;
};

}  // namespace orrery::simulation
