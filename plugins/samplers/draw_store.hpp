// DrawStore: the retained draws of one chain, growing one row at a time, with
// optional per-draw statistics (NUTS tree depth, energy, ...). Serialisable
// for checkpoints, handed over as the SDK's orrery::Chain at the end.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <orrery/checkpoint.hpp>
#include <orrery/error.hpp>
#include <orrery/sample_set.hpp>

namespace orrery::samplers {

class DrawStore {
 public:
  DrawStore() = default;
  /// `statistics` names the per-draw statistics each append() supplies.
  DrawStore(Eigen::Index dimension, std::vector<std::string> statistics = {})
      : dimension_(dimension), values_(0, dimension), statistic_names_(std::move(statistics)),
        statistics_(statistic_names_.size()) {}

  /// Room for `draws` rows. The draws are written straight into the matrix
  /// to_chain() hands over, so a chain that fills its reservation is never
  /// copied (for 5000 × 1000 draws the copy took as long as a fifth of a
  /// whole NUTS run on a standard normal).
  void reserve(std::size_t draws) {
    const auto rows = static_cast<Eigen::Index>(draws);
    if (rows > values_.rows()) {
      values_.conservativeResize(rows, dimension_);
      advise_huge_pages(values_.data(), static_cast<std::size_t>(values_.size()) * sizeof(double));
    }
    log_density_.reserve(draws);
    for (auto& s : statistics_) s.reserve(draws);
  }

  /// Appends draw `x` (size dimension()) with its log-density and the values
  /// of the per-draw statistics, in the order named at construction.
  template <typename Vector>
  void append(const Vector& x, double log_density, std::initializer_list<double> statistics = {}) {
    if (rows_ == values_.rows()) values_.conservativeResize(std::max<Eigen::Index>(16, 2 * rows_), dimension_);
    values_.row(rows_++) = x.transpose();
    log_density_.push_back(log_density);
    std::size_t k = 0;
    for (double s : statistics) statistics_[k++].push_back(s);
  }

  /// Asks Linux to back a large buffer with transparent huge pages where the
  /// system allows it (as numpy does for arrays of 4 MiB and more): filling
  /// 40 MB of draws otherwise takes ~10 000 page faults, which on a virtual
  /// machine cost about as much as the writes themselves. A no-op elsewhere.
  static void advise_huge_pages(void* data, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr std::size_t kHuge = std::size_t{1} << 21;
    if (bytes < 2 * kHuge) return;
    const auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
    if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // advice only: errors ignored
#else
    (void)data;
    (void)bytes;
#endif
  }

  [[nodiscard]] Eigen::Index dimension() const { return dimension_; }
  [[nodiscard]] Eigen::Index rows() const { return rows_; }
  /// Draws of column `j`, copied (for diagnostics).
  [[nodiscard]] Eigen::VectorXd column(Eigen::Index j) const { return values_.col(j).head(rows_); }
  /// Values of the per-draw statistic `k`.
  [[nodiscard]] const std::vector<double>& statistic(std::size_t k) const { return statistics_[k]; }

  /// Moves the draws into an SDK chain (this store is left empty).
  [[nodiscard]] orrery::Chain to_chain() {
    orrery::Chain chain;
    if (rows_ == values_.rows())
      chain.draws = std::move(values_);
    else
      chain.draws = values_.topRows(rows_);
    chain.log_density = Eigen::Map<const Eigen::VectorXd>(log_density_.data(), rows());
    for (std::size_t k = 0; k < statistics_.size(); ++k)
      chain.draw_statistics.emplace_back(statistic_names_[k],
                                         Eigen::Map<const Eigen::VectorXd>(statistics_[k].data(), rows()));
    values_ = orrery::DrawMatrix(0, dimension_);
    rows_ = 0;
    log_density_.clear();
    for (auto& s : statistics_) s.clear();
    return chain;
  }

  /// The draws so far (rows() × dimension(), row-major) and statistics.
  template <typename IO>
  void visit(IO& io) {
    if constexpr (std::is_same_v<IO, orrery::StateReader>) {
      orrery::DrawMatrix filled;
      io(filled);
      if (filled.cols() != dimension_)
        throw orrery::Error("checkpoint is corrupt: draws of " + std::to_string(filled.cols()) + " columns, expected " +
                            std::to_string(dimension_));
      rows_ = filled.rows();
      if (values_.rows() < rows_) values_.resize(rows_, dimension_);
      values_.topRows(rows_) = filled;
    } else {
      io(orrery::DrawMatrix(values_.topRows(rows_)));
    }
    io(log_density_);
    for (auto& s : statistics_) io(s);
  }

 private:
  Eigen::Index dimension_ = 0;
  orrery::DrawMatrix values_;  ///< capacity × dimension_; rows [0, rows_) are filled
  Eigen::Index rows_ = 0;
  std::vector<std::string> statistic_names_;
  std::vector<double> log_density_;
  std::vector<std::vector<double>> statistics_;
};

}  // namespace orrery::samplers
