#include "calibration/sbc.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "calibration/incomplete_gamma.hpp"
#include "calibration/kolmogorov.hpp"
#include "orrery/error.hpp"

namespace orrery::calibration {

namespace {

[[noreturn]] void fail(const std::string& what) { throw Error("calibration: sbc: " + what); }

void check_shapes(const Eigen::Ref<const Eigen::MatrixXd>& truths, std::span<const Eigen::MatrixXd> draws) {
  if (truths.rows() < 1) fail("no simulations (truths has 0 rows)");
  if (truths.cols() < 1) fail("truths has no columns");
  if (static_cast<std::size_t>(truths.rows()) != draws.size())
    fail("truths has " + std::to_string(truths.rows()) + " rows (simulations) but there are " +
         std::to_string(draws.size()) + " draw matrices");
  const Index L = draws[0].rows();
  if (L < 1) fail("simulation 0 has no posterior draws");
  for (std::size_t i = 0; i < draws.size(); ++i) {
    if (draws[i].rows() != L)
      fail("simulation " + std::to_string(i) + " has " + std::to_string(draws[i].rows()) +
           " draws, simulation 0 has " + std::to_string(L) + " (every simulation needs the same number)");
    if (draws[i].cols() != truths.cols())
      fail("the draws of simulation " + std::to_string(i) + " have " + std::to_string(draws[i].cols()) +
           " columns, truths has " + std::to_string(truths.cols()));
  }
}

}  // namespace

Eigen::MatrixXi sbc_ranks(const Eigen::Ref<const Eigen::MatrixXd>& truths, std::span<const Eigen::MatrixXd> draws,
                          RandomStream rng) {
  check_shapes(truths, draws);
  const Index n = truths.rows(), d = truths.cols();
  Eigen::MatrixXi ranks(n, d);
  for (Index i = 0; i < n; ++i) {
    const Eigen::MatrixXd& x = draws[static_cast<std::size_t>(i)];
    for (Index j = 0; j < d; ++j) {
      const double t = truths(i, j);
      if (std::isnan(t)) fail("the truth of simulation " + std::to_string(i) + ", parameter " + std::to_string(j) + " is NaN");
      int below = 0, ties = 0;
      for (Index l = 0; l < x.rows(); ++l) {
        const double v = x(l, j);
        if (std::isnan(v))
          fail("draw " + std::to_string(l) + " of simulation " + std::to_string(i) + ", parameter " +
               std::to_string(j) + " is NaN");
        below += (v < t);
        ties += (v == t);
      }
      if (ties > 0) below += static_cast<int>(rng.below(static_cast<std::uint64_t>(ties) + 1));
      ranks(i, j) = below;
    }
  }
  return ranks;
}

double ks_statistic_discrete_uniform(std::span<const int> ranks, int L) {
  if (ranks.empty()) fail("no ranks for the KS test");
  if (L < 0) fail("L must be >= 0, got " + std::to_string(L));
  std::vector<Index> count(static_cast<std::size_t>(L) + 1, 0);
  for (int r : ranks) {
    if (r < 0 || r > L) fail("rank " + std::to_string(r) + " is outside [0, " + std::to_string(L) + "]");
    ++count[static_cast<std::size_t>(r)];
  }
  const auto n = static_cast<double>(ranks.size());
  double cumulative = 0.0, d = 0.0;
  for (int k = 0; k <= L; ++k) {
    cumulative += static_cast<double>(count[static_cast<std::size_t>(k)]);
    d = std::max(d, std::abs(cumulative / n - static_cast<double>(k + 1) / static_cast<double>(L + 1)));
  }
  return d;
}

SbcResult sbc(const Eigen::Ref<const Eigen::MatrixXd>& truths, std::span<const Eigen::MatrixXd> draws,
              RandomStream rng, const SbcOptions& options) {
  if (options.bins < 2) fail("bins must be >= 2, got " + std::to_string(options.bins));
  SbcResult out;
  out.ranks = sbc_ranks(truths, draws, rng);
  const Index n = out.ranks.rows(), d = out.ranks.cols();
  const Index L = draws[0].rows();
  out.draws = L;
  const Index bins = std::min(options.bins, L + 1);

  out.histogram = Eigen::MatrixXi::Zero(bins, d);
  out.expected_count = Eigen::VectorXd::Zero(bins);
  for (Index r = 0; r <= L; ++r) out.expected_count(r * bins / (L + 1)) += 1.0;
  out.expected_count *= static_cast<double>(n) / static_cast<double>(L + 1);

  out.ks_statistic.resize(d);
  out.ks_pvalue.resize(d);
  if (options.chi_square) {
    out.chi_square.resize(d);
    out.chi_square_pvalue.resize(d);
  }
  std::vector<int> column(static_cast<std::size_t>(n));
  for (Index j = 0; j < d; ++j) {
    for (Index i = 0; i < n; ++i) {
      column[static_cast<std::size_t>(i)] = out.ranks(i, j);
      ++out.histogram(static_cast<Index>(out.ranks(i, j)) * bins / (L + 1), j);
    }
    out.ks_statistic(j) = ks_statistic_discrete_uniform(column, static_cast<int>(L));
    out.ks_pvalue(j) = kolmogorov_pvalue(n, out.ks_statistic(j));
    if (options.chi_square) {
      double chi2 = 0.0;
      for (Index b = 0; b < bins; ++b) {
        const double diff = out.histogram(b, j) - out.expected_count(b);
        chi2 += diff * diff / out.expected_count(b);
      }
      out.chi_square(j) = chi2;
      out.chi_square_pvalue(j) = chi_square_pvalue(chi2, static_cast<double>(bins - 1));
    }
  }
  return out;
}

}  // namespace orrery::calibration
