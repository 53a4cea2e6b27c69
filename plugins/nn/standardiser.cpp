#include "nn/standardiser.hpp"

#include <cmath>
#include <vector>

#include "orrery/checkpoint.hpp"
#include "orrery/error.hpp"

namespace orrery::nn {

namespace {

constexpr std::string_view kStandardiserFormat = "nn.standardiser/1";

[[noreturn]] void fail(const std::string& what) { throw Error("nn: standardiser: " + what); }

}  // namespace

template <typename T>
Standardiser<T>::Standardiser(Eigen::RowVectorXd mean, Eigen::RowVectorXd sd) : mean_(std::move(mean)), sd_(std::move(sd)) {
  if (mean_.size() != sd_.size())
    fail(std::to_string(mean_.size()) + " means but " + std::to_string(sd_.size()) + " standard deviations");
  for (Index j = 0; j < sd_.size(); ++j) {
    if (!std::isfinite(mean_(j))) fail("mean of column " + std::to_string(j) + " is not finite");
    if (!(std::isfinite(sd_(j)) && sd_(j) > 0.0))
      fail("sd of column " + std::to_string(j) + " must be finite and > 0, got " + std::to_string(sd_(j)));
  }
}

template <typename T>
Standardiser<T> Standardiser<T>::fit(const Matrix<T>& data, std::span<const Index> rows, double min_sd) {
  std::vector<Index> all;
  if (rows.empty()) {
    all.resize(static_cast<std::size_t>(data.rows()));
    for (Index i = 0; i < data.rows(); ++i) all[static_cast<std::size_t>(i)] = i;
    rows = all;
  }
  if (rows.size() < 2) fail("fitting needs at least 2 rows, got " + std::to_string(rows.size()));
  const Index cols = data.cols();
  Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(cols), sd = Eigen::RowVectorXd::Zero(cols);
  for (Index r : rows) {
    if (r < 0 || r >= data.rows())
      fail("row " + std::to_string(r) + " is outside the data's " + std::to_string(data.rows()) + " rows");
    for (Index j = 0; j < cols; ++j) {
      const auto x = static_cast<double>(data(r, j));
      if (!std::isfinite(x)) fail("value at row " + std::to_string(r) + ", column " + std::to_string(j) + " is not finite");
      mean(j) += x;
    }
  }
  const auto n = static_cast<double>(rows.size());
  mean /= n;
  // Second pass about the mean: no cancellation for columns with a large offset.
  for (Index r : rows) sd += (data.row(r).template cast<double>() - mean).array().square().matrix();
  sd = (sd / (n - 1.0)).array().sqrt().matrix();
  for (Index j = 0; j < cols; ++j)
    if (sd(j) <= min_sd) sd(j) = 1.0;  // constant column: leave its scale alone
  return Standardiser(std::move(mean), std::move(sd));
}

template <typename T>
void Standardiser<T>::check_columns(Index cols, const char* what) const {
  if (cols != columns())
    fail(std::string(what) + ": the input has " + std::to_string(cols) + " columns, the standardiser " +
         std::to_string(columns()));
}

template <typename T>
void Standardiser<T>::apply_in_place(Matrix<T>& x) const {
  check_columns(x.cols(), "apply");
  // In double, then rounded once, so float data loses nothing to the offset.
  for (Index i = 0; i < x.rows(); ++i)
    for (Index j = 0; j < x.cols(); ++j)
      x(i, j) = static_cast<T>((static_cast<double>(x(i, j)) - mean_(j)) / sd_(j));
}

template <typename T>
void Standardiser<T>::inverse_in_place(Matrix<T>& z) const {
  check_columns(z.cols(), "inverse");
  for (Index i = 0; i < z.rows(); ++i)
    for (Index j = 0; j < z.cols(); ++j) z(i, j) = static_cast<T>(mean_(j) + sd_(j) * static_cast<double>(z(i, j)));
}

template <typename T>
Matrix<T> Standardiser<T>::apply(const Matrix<T>& x) const {
  Matrix<T> z = x;
  apply_in_place(z);
  return z;
}

template <typename T>
Matrix<T> Standardiser<T>::inverse(const Matrix<T>& z) const {
  Matrix<T> x = z;
  inverse_in_place(x);
  return x;
}

template <typename T>
double Standardiser<T>::log_abs_det_jacobian() const {
  return -sd_.array().log().sum();
}

template <typename T>
void Standardiser<T>::write(StateWriter& out) const {
  out(std::string(kStandardiserFormat));
  out(mean_);
  out(sd_);
}

template <typename T>
Standardiser<T> Standardiser<T>::read(StateReader& in) {
  std::string tag;
  in(tag);
  if (tag != kStandardiserFormat) fail("expected '" + std::string(kStandardiserFormat) + "', found '" + tag + "'");
  Eigen::RowVectorXd mean, sd;
  in(mean);
  in(sd);
  return Standardiser(std::move(mean), std::move(sd));
}

template <typename T>
std::string Standardiser<T>::to_bytes() const {
  StateWriter out("nn.standardiser.bytes/1");
  write(out);
  return out.bytes();
}

template <typename T>
Standardiser<T> Standardiser<T>::from_bytes(std::string_view bytes) {
  try {
    StateReader in(bytes, "nn.standardiser.bytes/1");
    Standardiser s = read(in);
    in.finish();
    return s;
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind("nn: standardiser:", 0) == 0) throw;
    fail(what);
  }
}

template class Standardiser<float>;
template class Standardiser<double>;

}  // namespace orrery::nn
