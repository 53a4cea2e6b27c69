// RedshiftDistribution: a normalised source or lens distribution n(z).
//
// Stored as samples on an increasing z grid and evaluated by linear
// interpolation (zero outside the grid), normalised so that ∫ n(z) dz = 1 under
// that interpolation. A delta distribution (a single source plane) is a
// separate case that Limber kernels handle exactly. Redshift distributions are
// inputs, not differentiated with respect to cosmology, so they use double.
//
// Factories: smail, gaussian, delta, from_file (two columns z, n), and
// tomographic_bins (equal-number bins of a parent, optionally smeared by a
// Gaussian photo-z error σ_z (1 + z)). Bad input throws orrery::Error naming
// what was wrong (and the file).
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <orrery/error.hpp>

#include "cosmo_core/numeric_text.hpp"

namespace orrery::cosmo {

class RedshiftDistribution {
 public:
  /// Samples (z_i, n_i): z strictly increasing, n ≥ 0, not all zero. Normalises.
  RedshiftDistribution(std::vector<double> z, std::vector<double> n, std::string label = "n(z)")
      : z_(std::move(z)), n_(std::move(n)), label_(std::move(label)) {
    if (z_.size() < 2 || z_.size() != n_.size())
      throw Error(label_ + ": needs at least two (z, n) samples, found " + std::to_string(z_.size()));
    for (std::size_t i = 0; i < z_.size(); ++i) {
      if (!std::isfinite(z_[i]) || !std::isfinite(n_[i])) throw Error(label_ + ": non-finite value at row " + std::to_string(i + 1));
      if (z_[i] < 0) throw Error(label_ + ": negative redshift " + std::to_string(z_[i]) + " at row " + std::to_string(i + 1));
      if (n_[i] < 0) throw Error(label_ + ": negative n(z) = " + std::to_string(n_[i]) + " at row " + std::to_string(i + 1));
      if (i > 0 && !(z_[i] > z_[i - 1]))
        throw Error(label_ + ": redshifts must increase (row " + std::to_string(i + 1) + ")");
    }
    double norm = 0;
    for (std::size_t i = 1; i < z_.size(); ++i) norm += 0.5 * (n_[i] + n_[i - 1]) * (z_[i] - z_[i - 1]);
    if (!(norm > 0)) throw Error(label_ + ": n(z) is zero everywhere");
    for (double& v : n_) v /= norm;
  }

  /// A single source plane at z (for lensing) or a thin shell (counts).
  static RedshiftDistribution delta(double z) {
    if (!(z > 0) || !std::isfinite(z)) throw Error("delta n(z): redshift must be positive, found " + std::to_string(z));
    RedshiftDistribution d;
    d.delta_ = true;
    d.z_ = {z};
    d.n_ = {1.0};
    d.label_ = "delta(z=" + std::to_string(z) + ")";
    return d;
  }

  /// Smail et al.: n(z) ∝ z^alpha exp(-(z/z0)^beta), sampled up to where it is
  /// negligible (1e-10 of its peak).
  static RedshiftDistribution smail(double alpha, double beta, double z0, std::size_t points = 1024) {
    if (!(alpha >= 0) || !(beta > 0) || !(z0 > 0))
      throw Error("Smail n(z): need alpha >= 0, beta > 0, z0 > 0");
    const double z_peak = z0 * std::pow(alpha / beta, 1.0 / beta);
    auto log_n = [&](double z) { return alpha * std::log(z) - std::pow(z / z0, beta); };
    const double log_peak = z_peak > 0 ? log_n(z_peak) : 0.0;
    double z_max = std::max(z_peak, z0);
    while (log_n(z_max) - log_peak > std::log(1e-10)) z_max *= 1.25;
    std::vector<double> z(points), n(points);
    for (std::size_t i = 0; i < points; ++i) {
      z[i] = z_max * static_cast<double>(i) / static_cast<double>(points - 1);
      n[i] = z[i] > 0 ? std::exp(log_n(z[i]) - log_peak) : (alpha == 0 ? 1.0 : 0.0);
    }
    return {std::move(z), std::move(n), "Smail n(z)"};
  }

  /// Gaussian n(z) ∝ exp(-(z - mean)²/(2 sigma²)), truncated at z ≥ 0 and ±6 sigma.
  static RedshiftDistribution gaussian(double mean, double sigma, std::size_t points = 512) {
    if (!(sigma > 0) || !(mean > 0)) throw Error("Gaussian n(z): need mean > 0 and sigma > 0");
    const double lo = std::max(0.0, mean - 6 * sigma), hi = mean + 6 * sigma;
    std::vector<double> z(points), n(points);
    for (std::size_t i = 0; i < points; ++i) {
      z[i] = lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(points - 1);
      n[i] = std::exp(-0.5 * std::pow((z[i] - mean) / sigma, 2));
    }
    return {std::move(z), std::move(n), "Gaussian n(z)"};
  }

  /// Two whitespace- or comma-separated columns, z and n(z); '#' starts a comment.
  static RedshiftDistribution from_file(const std::filesystem::path& file) {
    const std::string what = "n(z) file '" + file.string() + "'";
    std::vector<double> z, n;
    for_each_numeric_row(file, what, [&](int line_no, const std::vector<double>& row) {
      if (row.size() < 2) throw Error(what + ", line " + std::to_string(line_no) + ": expected two columns, z and n(z)");
      z.push_back(row[0]);
      n.push_back(row[1]);
    });
    if (z.empty()) throw Error("n(z) file '" + file.string() + "' holds no data");
    return {std::move(z), std::move(n), "n(z) file '" + file.string() + "'"};
  }

  /// Splits `parent` into `bins` bins holding equal numbers of galaxies in true
  /// redshift, each smeared by a Gaussian photo-z scatter sigma_z (1 + z)
  /// (sigma_z = 0: sharp cuts).
  static std::vector<RedshiftDistribution> tomographic_bins(const RedshiftDistribution& parent, int bins,
                                                            double sigma_z = 0.0, std::size_t points = 1024) {
    if (bins < 1) throw Error("tomographic binning needs at least one bin");
    if (parent.is_delta()) throw Error("a delta n(z) cannot be split into bins");
    if (sigma_z < 0) throw Error("photo-z scatter must be >= 0");
    // Bin edges from the parent's cumulative distribution (linear within cells).
    std::vector<double> edges{parent.z_.front()};
    const std::vector<double> cdf = parent.cumulative();
    for (int b = 1; b < bins; ++b) {
      const double target = static_cast<double>(b) / bins;
      const auto it = std::lower_bound(cdf.begin(), cdf.end(), target);
      const std::size_t i = static_cast<std::size_t>(std::max<std::ptrdiff_t>(1, it - cdf.begin()));
      // Invert the quadratic CDF of the linear segment [i-1, i].
      const double z0 = parent.z_[i - 1], dz = parent.z_[i] - z0, n0 = parent.n_[i - 1], n1 = parent.n_[i];
      const double slope = (n1 - n0) / dz, need = target - cdf[i - 1];
      const double t = std::abs(slope) < 1e-300 ? need / n0
                                                : (-n0 + std::sqrt(std::max(0.0, n0 * n0 + 2 * slope * need))) / slope;
      edges.push_back(z0 + std::clamp(t, 0.0, dz));
    }
    edges.push_back(parent.z_.back());

    const double z_max = parent.z_.back() + (sigma_z > 0 ? 6 * sigma_z * (1 + parent.z_.back()) : 0.0);
    std::vector<RedshiftDistribution> out;
    for (int b = 0; b < bins; ++b) {
      std::vector<double> z(points), n(points);
      for (std::size_t i = 0; i < points; ++i) {
        // The observed-z selection applied to galaxies at true z.
        z[i] = z_max * static_cast<double>(i) / static_cast<double>(points - 1);
        double selected;
        if (sigma_z > 0) {
          const double s = sigma_z * (1 + z[i]) * std::sqrt(2.0);
          selected = 0.5 * (std::erf((edges[b + 1] - z[i]) / s) - std::erf((edges[b] - z[i]) / s));
        } else {
          selected = (z[i] >= edges[b] && z[i] < edges[b + 1]) ? 1.0 : 0.0;
        }
        n[i] = parent(z[i]) * selected;
      }
      out.emplace_back(std::move(z), std::move(n), "bin " + std::to_string(b + 1) + " of " + std::to_string(bins));
    }
    return out;
  }

  [[nodiscard]] bool is_delta() const { return delta_; }
  [[nodiscard]] const std::vector<double>& z() const { return z_; }
  [[nodiscard]] const std::vector<double>& n() const { return n_; }
  [[nodiscard]] double z_min() const { return z_.front(); }
  [[nodiscard]] double z_max() const { return z_.back(); }
  [[nodiscard]] const std::string& label() const { return label_; }

  /// n(z), linear between samples, 0 outside (the delta case has no density).
  [[nodiscard]] double operator()(double z) const {
    if (delta_) throw Error(label_ + " has no density; use is_delta()");
    if (z < z_.front() || z > z_.back()) return 0.0;
    const auto it = std::upper_bound(z_.begin(), z_.end(), z);
    if (it == z_.end()) return n_.back();
    const std::size_t i = static_cast<std::size_t>(it - z_.begin());
    const double t = (z - z_[i - 1]) / (z_[i] - z_[i - 1]);
    return n_[i - 1] + t * (n_[i] - n_[i - 1]);
  }

  /// Mean redshift.
  [[nodiscard]] double mean() const {
    if (delta_) return z_.front();
    double m = 0;  // exact for the piecewise-linear n(z)
    for (std::size_t i = 1; i < z_.size(); ++i) {
      const double a = z_[i - 1], b = z_[i], na = n_[i - 1], nb = n_[i];
      m += (b - a) * (na * (2 * a + b) + nb * (a + 2 * b)) / 6;
    }
    return m;
  }

 private:
  RedshiftDistribution() = default;

  [[nodiscard]] std::vector<double> cumulative() const {
    std::vector<double> c(z_.size(), 0.0);
    for (std::size_t i = 1; i < z_.size(); ++i) c[i] = c[i - 1] + 0.5 * (n_[i] + n_[i - 1]) * (z_[i] - z_[i - 1]);
    return c;
  }

  std::vector<double> z_, n_;
  std::string label_;
  bool delta_ = false;
};

}  // namespace orrery::cosmo
