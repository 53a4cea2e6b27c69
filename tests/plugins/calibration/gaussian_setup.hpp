// A Gaussian "posterior" family shared by the SBC, coverage and TARP tests:
// simulation i has a posterior centre μ_i ~ N(0, 2² I); the truth is
// μ_i + N(0, I) (so N(μ_i, I) is the exact posterior), and the draws come
// from an estimated posterior N(μ_i + shift, scale² I).
#pragma once

#include <Eigen/Core>
#include <vector>

#include "orrery/random.hpp"

namespace calibration_test {

struct GaussianSetup {
  Eigen::MatrixXd centres;             // N×d, μ_i
  Eigen::MatrixXd truths;              // N×d
  std::vector<Eigen::MatrixXd> draws;  // N of L×d
};

inline GaussianSetup gaussian_setup(Eigen::Index n, Eigen::Index draws, Eigen::Index dim, double shift, double scale,
                                    orrery::RandomStream rng) {
  GaussianSetup s;
  s.centres.resize(n, dim);
  s.truths.resize(n, dim);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < dim; ++j) {
      s.centres(i, j) = 2.0 * rng.normal();
      s.truths(i, j) = s.centres(i, j) + rng.normal();
    }
    Eigen::MatrixXd x(draws, dim);
    for (Eigen::Index l = 0; l < draws; ++l)
      for (Eigen::Index j = 0; j < dim; ++j) x(l, j) = s.centres(i, j) + shift + scale * rng.normal();
    s.draws.push_back(std::move(x));
  }
  return s;
}

}  // namespace calibration_test
