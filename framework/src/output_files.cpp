#include "output_files.hpp"

#include <charconv>
#include <cstdio>

#include <orrery/error.hpp>

namespace orrery::kernel {
namespace fs = std::filesystem;

namespace {
void append_number(std::string& out, double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, 12);
  out.append(buf, r.ptr);
}
}  // namespace

std::vector<std::string> write_getdist(const fs::path& folder, const std::string& root, const SampleSet& samples,
                                       const ParameterSpace& space) {
  std::string chain;
  for (const Chain& c : samples.chains) {
    for (Eigen::Index i = 0; i < c.draws.rows(); ++i) {
      append_number(chain, c.weights.size() ? c.weights[i] : 1.0);
      chain += "  ";
      append_number(chain, -c.log_density[i]);
      for (Eigen::Index k = 0; k < c.draws.cols(); ++k) {
        chain += "  ";
        append_number(chain, c.draws(i, k));
      }
      chain += '\n';
    }
  }
  std::string names;
  std::vector<std::string> element_names = space.element_names();
  std::size_t k = 0;
  for (const ParameterBlock& b : space.blocks()) {
    for (std::size_t e = 0; e < b.size(); ++e, ++k) {
      names += element_names[k];
      names += '\t';
      names += b.latex.empty() ? element_names[k] : b.latex;
      names += '\n';
    }
  }
  write_file_atomically(folder / (root + ".txt"), chain);
  write_file_atomically(folder / (root + ".paramnames"), names);
  return {root + ".txt", root + ".paramnames"};
}

std::vector<std::string> write_draw_statistics(const fs::path& folder, const std::string& root,
                                               const SampleSet& samples) {
  if (samples.chains.empty() || samples.chains.front().draw_statistics.empty()) return {};
  const auto& columns = samples.chains.front().draw_statistics;
  std::string out = "# chain";
  for (const auto& [name, values] : columns) out += "  " + name;
  out += '\n';
  for (std::size_t c = 0; c < samples.chains.size(); ++c) {
    const Chain& chain = samples.chains[c];
    if (chain.draw_statistics.size() != columns.size())
      throw Error("chain " + std::to_string(c) + " has " + std::to_string(chain.draw_statistics.size()) +
                  " per-draw statistics, chain 0 has " + std::to_string(columns.size()));
    for (const auto& [name, values] : chain.draw_statistics)
      if (values.size() != chain.draws.rows())
        throw Error("per-draw statistic '" + name + "' of chain " + std::to_string(c) + " has " +
                    std::to_string(values.size()) + " values for " + std::to_string(chain.draws.rows()) + " draws");
    for (Eigen::Index i = 0; i < chain.draws.rows(); ++i) {
      out += std::to_string(c);
      for (const auto& [name, values] : chain.draw_statistics) {
        out += "  ";
        append_number(out, values[i]);
      }
      out += '\n';
    }
  }
  write_file_atomically(folder / (root + ".per_draw.txt"), out);
  return {root + ".per_draw.txt"};
}

}  // namespace orrery::kernel
