#include "glm_design.hpp"

#include <cmath>
#include <cstdint>
#include <random>

namespace orrery::sbibm {
namespace {

/// numpy's legacy_double: 27 + 26 random bits from two 32-bit words.
double legacy_double(std::mt19937& mt) {
  const std::uint32_t a = static_cast<std::uint32_t>(mt()) >> 5;
  const std::uint32_t b = static_cast<std::uint32_t>(mt()) >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

}  // namespace

Eigen::VectorXd numpy_legacy_randn(unsigned seed, int n) {
  // std::mt19937's seeding is init_genrand, as numpy's for an integer seed.
  std::mt19937 mt(seed);
  Eigen::VectorXd out(n);
  bool has_spare = false;
  double spare = 0.0;
  for (int i = 0; i < n; ++i) {
    if (has_spare) {
      out[i] = spare;
      has_spare = false;
      continue;
    }
    double x1, x2, r2;
    do {
      x1 = 2.0 * legacy_double(mt) - 1.0;
      x2 = 2.0 * legacy_double(mt) - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    const double f = std::sqrt(-2.0 * std::log(r2) / r2);
    spare = f * x1;
    has_spare = true;
    out[i] = f * x2;
  }
  return out;
}

GlmStimulus glm_stimulus() {
  const Eigen::VectorXd draws = numpy_legacy_randn(42, kGlmBins);
  GlmStimulus stimulus;
  for (int t = 0; t < kGlmBins; ++t) stimulus[t] = static_cast<double>(static_cast<float>(draws[t]));
  return stimulus;
}

GlmDesignMatrix glm_design_matrix(const GlmStimulus& stimulus) {
  GlmDesignMatrix x = GlmDesignMatrix::Zero();
  for (int t = 0; t < kGlmBins; ++t) {
    x(t, 0) = 1.0;
    for (int j = 0; j < kGlmParameters - 1 && j <= t; ++j) x(t, j + 1) = stimulus[t - j];
  }
  return x;
}

const GlmDesignMatrix& glm_design() {
  static const GlmDesignMatrix design = glm_design_matrix(glm_stimulus());
  return design;
}

}  // namespace orrery::sbibm
