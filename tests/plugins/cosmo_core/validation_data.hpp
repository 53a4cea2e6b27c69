// Reading the reference tables in ../shared/validation for cosmo_core tests.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cosmo_core/cosmology_params.hpp"

namespace orrery::test {

inline const std::filesystem::path kValidationDir = ORRERY_VALIDATION_DIR;
inline const std::filesystem::path kCclDir = kValidationDir / "ccl";

/// Numeric rows of a whitespace-separated table; '#' lines are skipped and
/// "inf"/"-inf" are read. A missing or empty file fails the test.
inline std::vector<std::vector<double>> read_rows(const std::filesystem::path& file) {
  std::ifstream in(file);
  INFO("validation file " << file.string());
  REQUIRE(in.good());
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::vector<double> row;
    for (std::string field; fields >> field;) row.push_back(std::stod(field));
    if (!row.empty()) rows.push_back(row);
  }
  REQUIRE(!rows.empty());
  return rows;
}

/// CCL benchmark models 1..5 (ccl/README.md §1). Radiation-free unless
/// `radiation`, which adds photons at 2.725 K and 3.046 massless neutrinos.
inline cosmo::CosmologyParams<double> ccl_model(int model, bool radiation = false) {
  static constexpr double kOmegaV[] = {0.70, 0.70, 0.70, 0.65, 0.75};
  static constexpr double kW0[] = {-1.0, -0.9, -0.9, -0.9, -0.9};
  static constexpr double kWa[] = {0.0, 0.0, 0.1, 0.1, 0.1};
  cosmo::CosmologyParams<double> p;
  p.omega_c = 0.25;
  p.omega_b = 0.05;
  p.h = 0.7;
  p.n_s = 0.96;
  p.omega_k = 1.0 - 0.30 - kOmegaV[model - 1];
  p.w0 = kW0[model - 1];
  p.wa = kWa[model - 1];
  p.T_cmb = radiation ? 2.725 : 0.0;
  p.N_eff = radiation ? 3.046 : 0.0;
  return p;
}

}  // namespace orrery::test
