// Standardiser: per-column z-scoring, z = (x − μ) / σ, with μ and σ fitted on
// the training rows only (so the validation rows never inform the transform).
//
// μ is the column mean and σ the sample standard deviation (n − 1), both
// computed in double with two passes. A column whose σ is at most `min_sd`
// (a constant column) gets σ = 1: it maps to x − μ (zero on the training
// set) and contributes nothing to the log-Jacobian, instead of blowing up.
//
// Density estimators trained on z need densities in the original units:
//   log p_x(x) = log p_z(z) + log_abs_det_jacobian(),
// where log_abs_det_jacobian() = −Σ_j log σ_j is log|det ∂z/∂x| of apply(),
// the same for every row.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "nn/matrix.hpp"

namespace orrery {
class StateWriter;
class StateReader;
}  // namespace orrery

namespace orrery::nn {

template <typename T = float>
class Standardiser {
 public:
  /// The identity on zero columns (fit or read one before use).
  Standardiser() = default;
  /// From explicit moments; throws orrery::Error unless the sizes match and
  /// every sd is finite and > 0.
  Standardiser(Eigen::RowVectorXd mean, Eigen::RowVectorXd sd);

  /// Fits μ and σ on `rows` of `data` (all rows if `rows` is empty). Throws
  /// orrery::Error if fewer than 2 rows are used, a row index is out of range,
  /// or a value is not finite (naming the row and column).
  static Standardiser fit(const Matrix<T>& data, std::span<const Index> rows = {}, double min_sd = 1e-12);

  /// z = (x − μ)/σ for every row; throws orrery::Error on a column-count mismatch.
  [[nodiscard]] Matrix<T> apply(const Matrix<T>& x) const;
  void apply_in_place(Matrix<T>& x) const;
  /// x = μ + σ z.
  [[nodiscard]] Matrix<T> inverse(const Matrix<T>& z) const;
  void inverse_in_place(Matrix<T>& z) const;

  /// log|det ∂z/∂x| = −Σ log σ_j (per row).
  [[nodiscard]] double log_abs_det_jacobian() const;

  [[nodiscard]] Index columns() const { return mean_.size(); }
  [[nodiscard]] const Eigen::RowVectorXd& mean() const { return mean_; }
  [[nodiscard]] const Eigen::RowVectorXd& sd() const { return sd_; }

  /// Serialisation: into a checkpoint stream (format tag "nn.standardiser/1"
  /// written as a string field first), or as a stand-alone byte string.
  void write(StateWriter& out) const;
  static Standardiser read(StateReader& in);
  [[nodiscard]] std::string to_bytes() const;
  /// Throws orrery::Error if the bytes are not a standardiser.
  static Standardiser from_bytes(std::string_view bytes);

 private:
  void check_columns(Index cols, const char* what) const;
  Eigen::RowVectorXd mean_, sd_;
};

extern template class Standardiser<float>;
extern template class Standardiser<double>;

}  // namespace orrery::nn
