// "Did you mean …?" suggestions for misspelt names, shared by the kernel and
// plugins so every error message suggests names the same way.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery {

/// Edit distance counting insertions, deletions, substitutions and swaps of
/// adjacent characters (the typos people make: "sigma8" vs "simga8").
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

/// Up to three candidates close enough to `name` to be a plausible typo, best
/// first. A candidate containing the name (or contained in it) also counts:
/// "gaussian" finds "core.gaussian_likelihood".
inline std::vector<std::string> closest_names(std::string_view name, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(2, name.size() / 3);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(name, c);
    if (d > limit && (c.find(name) != std::string::npos || (c.size() > 2 && name.find(c) != std::string_view::npos)))
      d = limit;
    if (d <= limit) scored.emplace_back(d, c);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& s : scored) {
    if (std::find(out.begin(), out.end(), s.second) == out.end()) out.push_back(s.second);
    if (out.size() == 3) break;
  }
  return out;
}

/// " (did you mean 'x'?)" or " (did you mean 'x' or 'y'?)", or "" when nothing is close.
inline std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  const auto best = closest_names(name, candidates);
  if (best.empty()) return {};
  std::string s = " (did you mean ";
  for (std::size_t i = 0; i < best.size(); ++i) {
    if (i) s += (i + 1 == best.size()) ? " or " : ", ";
    s += "'" + best[i] + "'";
  }
  return s + "?)";
}

}  // namespace orrery
