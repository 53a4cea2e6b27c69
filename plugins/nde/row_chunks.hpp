// Fixed partitions of a batch's rows into chunks for data-parallel work.
//
// The partition depends only on the number of rows (never on the thread
// count), each chunk is computed independently, and chunk results are combined
// in chunk order — so training and evaluation give bit-identical results
// whether the executor runs the chunks on one thread or on many.
#pragma once

#include <algorithm>
#include <cstddef>

#include <Eigen/Core>

namespace orrery::nde {

/// Rows per chunk when training: mini-batches of sbi's default 200 pairs split
/// into two chunks, large enough that the matrix products stay efficient.
inline constexpr Eigen::Index kTrainChunkRows = 100;
/// Rows per chunk when evaluating many pairs (log_prob of a whole data set).
inline constexpr Eigen::Index kEvaluationChunkRows = 512;

struct RowChunks {
  Eigen::Index rows = 0;
  Eigen::Index count = 1;  ///< number of chunks (≥ 1)

  /// floor(rows / chunk_rows) chunks (at least one) of near-equal size.
  RowChunks(Eigen::Index total_rows, Eigen::Index chunk_rows)
      : rows(total_rows), count(std::max<Eigen::Index>(1, total_rows / chunk_rows)) {}
  [[nodiscard]] Eigen::Index begin(Eigen::Index k) const { return rows * k / count; }
  [[nodiscard]] Eigen::Index size(Eigen::Index k) const { return begin(k + 1) - begin(k); }
};

}  // namespace orrery::nde
