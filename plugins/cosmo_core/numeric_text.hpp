// Reading numeric text tables (n(z) files, CAMB/CLASS power spectra, data
// vectors): one row per line, numbers separated by whitespace or commas, '#'
// starting a comment, blank lines ignored.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <orrery/error.hpp>

namespace orrery::cosmo {

/// Calls row(line_number, values) for every line holding numbers. `what`
/// names the file in errors ("n(z) file 'x.txt'"). Throws Error when the file
/// cannot be read or a token is not a number (naming the line).
template <typename RowFn>
void for_each_numeric_row(const std::filesystem::path& file, const std::string& what, RowFn&& row) {
  std::ifstream in(file);
  if (!in) throw Error(what + " cannot be read");
  std::string line;
  int line_no = 0;
  std::vector<double> values;
  while (std::getline(in, line)) {
    ++line_no;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream ls(line);
    values.clear();
    for (std::string token; ls >> token;) {
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(token, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != token.size()) throw Error(what + ", line " + std::to_string(line_no) + ": '" + token + "' is not a number");
      values.push_back(v);
    }
    if (!values.empty()) row(line_no, values);
  }
}

}  // namespace orrery::cosmo
