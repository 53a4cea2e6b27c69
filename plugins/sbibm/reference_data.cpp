#include "reference_data.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include <orrery/error.hpp>
#include <orrery/suggest.hpp>

namespace orrery::sbibm {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return std::string(s);
}

std::vector<std::string> split(std::string_view line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    out.push_back(trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

std::string read_plain(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw orrery::Error("cannot open " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A path quoted for /bin/sh: '...' with every ' written as '\''.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_bzip2(const std::filesystem::path& path) {
  const std::string command = "bzip2 -dc -- " + shell_quote(path.string()) + " 2>/dev/null";
  struct Closer {
    void operator()(FILE* f) const {
      if (f) pclose(f);
    }
  };
  std::unique_ptr<FILE, Closer> pipe(popen(command.c_str(), "r"));
  if (!pipe) throw orrery::Error("cannot run `bzip2 -dc` to decompress " + path.string());
  std::string text;
  char buffer[1 << 16];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0) text.append(buffer, n);
  const int status = pclose(pipe.release());
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const int code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
    throw orrery::Error("decompressing " + path.string() + " with `bzip2 -dc` failed (exit status " +
                        std::to_string(code) + (code == 127 ? ": is bzip2 installed?" : ": is the file a valid .bz2?") +
                        ")");
  }
  return text;
}

Eigen::VectorXd single_row(const CsvTable& table, const std::filesystem::path& path) {
  if (table.rows.rows() != 1)
    throw orrery::Error(path.string() + ": expected one data row, found " + std::to_string(table.rows.rows()));
  return table.rows.row(0).transpose();
}

}  // namespace

CsvTable parse_csv(std::string_view text, const std::string& source) {
  CsvTable table;
  std::vector<double> values;
  std::size_t line_number = 0, rows = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (trim(line).empty()) continue;
    std::vector<std::string> fields = split(line);
    if (table.header.empty()) {
      table.header = std::move(fields);
      continue;
    }
    if (fields.size() != table.header.size())
      throw orrery::Error(source + ":" + std::to_string(line_number) + ": expected " +
                          std::to_string(table.header.size()) + " values (as in the header), found " +
                          std::to_string(fields.size()));
    for (const std::string& f : fields) {
      double v = 0.0;
      const auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
      if (ec != std::errc() || ptr != f.data() + f.size() || f.empty())
        throw orrery::Error(source + ":" + std::to_string(line_number) + ": '" + f + "' is not a number");
      values.push_back(v);
    }
    ++rows;
  }
  if (table.header.empty()) throw orrery::Error(source + ": empty file (expected a header line)");
  const auto cols = static_cast<Eigen::Index>(table.header.size());
  table.rows = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      values.data(), static_cast<Eigen::Index>(rows), cols);
  return table;
}

CsvTable read_csv(const std::filesystem::path& path) {
  if (!std::filesystem::is_regular_file(path)) throw orrery::Error("missing file: " + path.string());
  const bool compressed = path.extension() == ".bz2";
  return parse_csv(compressed ? read_bzip2(path) : read_plain(path), path.string());
}

const std::vector<std::string>& reference_tasks() {
  static const std::vector<std::string> tasks = {"two_moons",     "gaussian_linear", "gaussian_linear_uniform",
                                                 "slcp",          "gaussian_mixture", "bernoulli_glm",
                                                 "sir",           "lotka_volterra"};
  return tasks;
}

std::filesystem::path reference_folder(const std::filesystem::path& validation_dir, std::string_view task,
                                       int number) {
  return validation_dir / "sbibm" / std::string(task) / ("num_observation_" + std::to_string(number));
}

ReferenceObservation read_reference(const std::filesystem::path& validation_dir, std::string_view task, int number,
                                    bool with_samples) {
  const std::vector<std::string>& tasks = reference_tasks();
  if (std::find(tasks.begin(), tasks.end(), task) == tasks.end())
    throw orrery::Error("no sbibm reference task called '" + std::string(task) + "'" + orrery::did_you_mean(task, tasks));
  if (number < 1 || number > 10)
    throw orrery::Error("sbibm reference observations are numbered 1..10, found " + std::to_string(number));
  const std::filesystem::path folder = reference_folder(validation_dir, task, number);
  ReferenceObservation ref;
  ref.task = std::string(task);
  ref.number = number;
  const CsvTable truth = read_csv(folder / "true_parameters.csv");
  ref.parameter_names = truth.header;
  ref.true_parameters = single_row(truth, folder / "true_parameters.csv");
  ref.observation = single_row(read_csv(folder / "observation.csv"), folder / "observation.csv");
  if (with_samples) {
    const std::filesystem::path path = folder / "reference_posterior_samples.csv.bz2";
    CsvTable samples = read_csv(path);
    if (samples.rows.cols() != ref.true_parameters.size())
      throw orrery::Error(path.string() + ": expected " + std::to_string(ref.true_parameters.size()) +
                          " columns (as true_parameters.csv), found " + std::to_string(samples.rows.cols()));
    ref.posterior_samples = std::move(samples.rows);
  }
  return ref;
}

}  // namespace orrery::sbibm
