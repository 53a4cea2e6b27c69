// DrawStore: the retained draws of one chain, growing one row at a time, with
// optional per-draw statistics (NUTS tree depth, energy, ...). Serialisable
// for checkpoints, convertible to the SDK's orrery::Chain at the end.
#pragma once

#include <Eigen/Core>
#include <string>
#include <utility>
#include <vector>

#include <orrery/sample_set.hpp>

namespace orrery::samplers {

class DrawStore {
 public:
  DrawStore() = default;
  /// `statistics` names the per-draw statistics each append() supplies.
  DrawStore(Eigen::Index dimension, std::vector<std::string> statistics = {})
      : dimension_(dimension), statistic_names_(std::move(statistics)), statistics_(statistic_names_.size()) {}

  void reserve(std::size_t draws) {
    values_.reserve(draws * static_cast<std::size_t>(dimension_));
    log_density_.reserve(draws);
    for (auto& s : statistics_) s.reserve(draws);
  }

  /// Appends draw `x` (size dimension()) with its log-density and the values
  /// of the per-draw statistics, in the order named at construction.
  template <typename Vector>
  void append(const Vector& x, double log_density, std::initializer_list<double> statistics = {}) {
    const std::size_t end = values_.size();
    values_.resize(end + static_cast<std::size_t>(dimension_));
    Eigen::Map<Eigen::VectorXd>(values_.data() + end, dimension_) = x;
    log_density_.push_back(log_density);
    std::size_t k = 0;
    for (double s : statistics) statistics_[k++].push_back(s);
  }

  [[nodiscard]] Eigen::Index dimension() const { return dimension_; }
  [[nodiscard]] Eigen::Index rows() const { return static_cast<Eigen::Index>(log_density_.size()); }
  /// Draws of column `j`, copied (for diagnostics).
  [[nodiscard]] Eigen::VectorXd column(Eigen::Index j) const {
    Eigen::VectorXd out(rows());
    for (Eigen::Index n = 0; n < rows(); ++n) out[n] = values_[static_cast<std::size_t>(n * dimension_ + j)];
    return out;
  }
  /// Values of the per-draw statistic `k`.
  [[nodiscard]] const std::vector<double>& statistic(std::size_t k) const { return statistics_[k]; }

  /// Moves the draws into an SDK chain (this store is left empty).
  [[nodiscard]] orrery::Chain to_chain() {
    orrery::Chain chain;
    chain.draws = Eigen::Map<const orrery::DrawMatrix>(values_.data(), rows(), dimension_);
    chain.log_density = Eigen::Map<const Eigen::VectorXd>(log_density_.data(), rows());
    for (std::size_t k = 0; k < statistics_.size(); ++k)
      chain.draw_statistics.emplace_back(statistic_names_[k],
                                         Eigen::Map<const Eigen::VectorXd>(statistics_[k].data(), rows()));
    values_.clear();
    log_density_.clear();
    for (auto& s : statistics_) s.clear();
    return chain;
  }

  template <typename IO>
  void visit(IO& io) {
    io(values_);
    io(log_density_);
    for (auto& s : statistics_) io(s);
  }

 private:
  Eigen::Index dimension_ = 0;
  std::vector<std::string> statistic_names_;
  std::vector<double> values_;  ///< row-major, rows() × dimension_
  std::vector<double> log_density_;
  std::vector<std::vector<double>> statistics_;
};

}  // namespace orrery::samplers
