// TabulatedPower: a power spectrum P(k) given as a table, e.g. the linear
// P(k) written by CAMB or CLASS, interpolated by a natural cubic spline of
// ln P in ln k.
//
// Units: stored and evaluated in k [1/Mpc] and P [Mpc^3]. Files hold k in h/Mpc
// and P in (Mpc/h)^3 (the CAMB/CLASS convention); `from_file` converts with the
// h it is given. Outside the table, ln P is continued linearly in ln k with the
// slope of the two end points (a power law).
//
// A table is data, not a function of the cosmology: it is double only and has
// no derivatives with respect to cosmological parameters (LinearPower<Dual>
// built on a table carries zero derivatives, except for an optional σ8
// rescaling, see linear_power.hpp).
//
// File format: whitespace-separated columns, one row per k, '#' starts a
// comment (anywhere on a line), blank lines are skipped. k must increase
// strictly and P must be positive and finite. Errors (orrery::Error) name the
// file and line.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <orrery/error.hpp>

#include "cosmo_core/numeric_text.hpp"

namespace orrery::cosmo {

class TabulatedPower {
 public:
  /// From samples k [1/Mpc] (strictly increasing, > 0) and P [Mpc^3] (> 0),
  /// at least 4 of them. `label` names the source in error messages.
  TabulatedPower(const std::vector<double>& k_mpc, const std::vector<double>& p_mpc3,
                 const std::string& label = "power spectrum table") {
    if (k_mpc.size() != p_mpc3.size())
      throw Error(label + ": " + std::to_string(k_mpc.size()) + " k values but " + std::to_string(p_mpc3.size()) +
                  " P values");
    if (k_mpc.size() < 4)
      throw Error(label + ": needs at least 4 (k, P) rows for a cubic spline, found " + std::to_string(k_mpc.size()));
    ln_k_.resize(k_mpc.size());
    ln_p_.resize(k_mpc.size());
    for (std::size_t i = 0; i < k_mpc.size(); ++i) {
      const std::string row = " (row " + std::to_string(i + 1) + ")";
      if (!(k_mpc[i] > 0) || !std::isfinite(k_mpc[i]))
        throw Error(label + ": k must be positive and finite, found " + std::to_string(k_mpc[i]) + row);
      if (!(p_mpc3[i] > 0) || !std::isfinite(p_mpc3[i]))
        throw Error(label + ": P(k) must be positive and finite, found " + std::to_string(p_mpc3[i]) + row);
      if (i > 0 && !(k_mpc[i] > k_mpc[i - 1])) throw Error(label + ": k must increase strictly" + row);
      ln_k_[i] = std::log(k_mpc[i]);
      ln_p_[i] = std::log(p_mpc3[i]);
    }
    build_spline();
  }

  /// Reads columns k [h/Mpc] and P [(Mpc/h)^3] (column `p_column`, 0-based,
  /// default 1) from a text file and converts them to Mpc units with `h`.
  static TabulatedPower from_file(const std::filesystem::path& file, double h, int p_column = 1) {
    const std::string where = "power spectrum file '" + file.string() + "'";
    if (!(h > 0)) throw Error(where + ": h must be positive to convert from h/Mpc, got " + std::to_string(h));
    if (p_column < 1) throw Error(where + ": P column must be >= 1 (column 0 is k), got " + std::to_string(p_column));
    std::vector<double> k, p;
    for_each_numeric_row(file, where, [&](int line_no, const std::vector<double>& cols) {
      if (cols.size() <= static_cast<std::size_t>(p_column))
        throw Error(where + ", line " + std::to_string(line_no) + ": expected at least " + std::to_string(p_column + 1) +
                    " columns (k [h/Mpc], P [(Mpc/h)^3]), found " + std::to_string(cols.size()));
      const double kh = cols[0], ph = cols[static_cast<std::size_t>(p_column)];
      if (!(kh > 0) || !std::isfinite(kh))
        throw Error(where + ", line " + std::to_string(line_no) + ": k must be positive, found " + std::to_string(kh));
      if (!(ph > 0) || !std::isfinite(ph))
        throw Error(where + ", line " + std::to_string(line_no) + ": P(k) must be positive, found " + std::to_string(ph));
      if (!k.empty() && !(kh * h > k.back()))
        throw Error(where + ", line " + std::to_string(line_no) + ": k must increase strictly, found " +
                    std::to_string(kh) + " after " + std::to_string(k.back() / h));
      k.push_back(kh * h);
      p.push_back(ph / (h * h * h));
    });
    if (k.empty()) throw Error(where + " holds no data rows");
    return TabulatedPower(k, p, where);
  }

  /// P(k) [Mpc^3] at k [1/Mpc] > 0.
  double operator()(double k_mpc) const { return std::exp(ln_p(std::log(k_mpc))); }

  /// ln P at ln k (spline inside the table, power law outside).
  double ln_p(double ln_k) const {
    const std::size_t n = ln_k_.size();
    if (ln_k <= ln_k_.front()) return ln_p_.front() + slope_lo_ * (ln_k - ln_k_.front());
    if (ln_k >= ln_k_.back()) return ln_p_.back() + slope_hi_ * (ln_k - ln_k_.back());
    const std::size_t i =
        static_cast<std::size_t>(std::upper_bound(ln_k_.begin(), ln_k_.end(), ln_k) - ln_k_.begin()) - 1;
    const std::size_t j = std::min(i + 1, n - 1);
    const double h = ln_k_[j] - ln_k_[i];
    const double a = (ln_k_[j] - ln_k) / h, b = 1.0 - a;
    return a * ln_p_[i] + b * ln_p_[j] + ((a * a * a - a) * m_[i] + (b * b * b - b) * m_[j]) * h * h / 6.0;
  }

  double k_min() const { return std::exp(ln_k_.front()); }  ///< 1/Mpc
  double k_max() const { return std::exp(ln_k_.back()); }   ///< 1/Mpc
  std::size_t size() const { return ln_k_.size(); }

 private:
  // Natural cubic spline: second derivatives m_i of ln P with m_0 = m_{n-1} = 0
  // (tridiagonal solve).
  void build_spline() {
    const std::size_t n = ln_k_.size();
    m_.assign(n, 0.0);
    std::vector<double> c(n, 0.0), d(n, 0.0);
    for (std::size_t i = 1; i + 1 < n; ++i) {
      const double h0 = ln_k_[i] - ln_k_[i - 1], h1 = ln_k_[i + 1] - ln_k_[i];
      const double rhs = 6.0 * ((ln_p_[i + 1] - ln_p_[i]) / h1 - (ln_p_[i] - ln_p_[i - 1]) / h0);
      const double diag = 2.0 * (h0 + h1) - h0 * c[i - 1];
      c[i] = h1 / diag;
      d[i] = (rhs - h0 * d[i - 1]) / diag;
    }
    for (std::size_t i = n - 2; i >= 1; --i) m_[i] = d[i] - c[i] * m_[i + 1];
    slope_lo_ = (ln_p_[1] - ln_p_[0]) / (ln_k_[1] - ln_k_[0]);
    slope_hi_ = (ln_p_[n - 1] - ln_p_[n - 2]) / (ln_k_[n - 1] - ln_k_[n - 2]);
  }

  std::vector<double> ln_k_, ln_p_, m_;
  double slope_lo_ = 0.0, slope_hi_ = 0.0;
};

}  // namespace orrery::cosmo
