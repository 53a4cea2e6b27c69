#include "estimator_file.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "orrery/atomic_file.hpp"
#include "orrery/error.hpp"

namespace orrery::nde {

namespace {

const char* kHeaderName = "estimator.txt";

std::string format_vector(const Eigen::VectorXd& v) {
  std::string s = std::to_string(v.size());
  char buffer[32];
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    std::snprintf(buffer, sizeof buffer, " %.17g", v(i));
    s += buffer;
  }
  return s;
}

Eigen::VectorXd parse_vector(std::istringstream& in, const std::string& where) {
  long n = -1;
  in >> n;
  if (!in || n < 0) throw Error(where + ": expected a count then values");
  Eigen::VectorXd v(n);
  for (long i = 0; i < n; ++i)
    if (!(in >> v(i))) throw Error(where + ": expected " + std::to_string(n) + " values");
  return v;
}

}  // namespace

std::filesystem::path network_file(const std::filesystem::path& dir, std::size_t index) {
  return dir / ("network-" + std::to_string(index) + ".bin");
}

void write_header(const std::filesystem::path& dir, const EstimatorHeader& h) {
  write_file_atomically(
      dir / kHeaderName,
      [&](std::ostream& out) {
        out << "orrery-nde " << kEstimatorFormatVersion << "\n"
            << "estimator " << h.estimator << "\n"
            << "architecture " << h.architecture << "\n"
            << "networks " << h.networks << "\n"
            << "mean_a " << format_vector(h.a.mean) << "\n"
            << "sd_a " << format_vector(h.a.sd) << "\n"
            << "mean_b " << format_vector(h.b.mean) << "\n"
            << "sd_b " << format_vector(h.b.sd) << "\n";
      },
      "nde");
}

EstimatorHeader read_header(const std::filesystem::path& dir) {
  const auto path = dir / kHeaderName;
  std::ifstream in(path);
  if (!in) throw Error("nde: no saved estimator in '" + dir.string() + "' (cannot open '" + path.string() + "')");
  EstimatorHeader h;
  std::string line;
  int line_number = 0;
  bool seen_version = false;
  while (std::getline(in, line)) {
    ++line_number;
    const std::string where = path.string() + ":" + std::to_string(line_number);
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key.empty()) continue;
    if (key == "orrery-nde") {
      int version = 0;
      fields >> version;
      if (version != kEstimatorFormatVersion)
        throw Error(where + ": estimator format version " + std::to_string(version) + ", this build reads version " +
                    std::to_string(kEstimatorFormatVersion));
      seen_version = true;
    } else if (!seen_version) {
      throw Error(where + ": not an Orrery nde estimator header (expected 'orrery-nde <version>' first)");
    } else if (key == "estimator") {
      fields >> h.estimator;
    } else if (key == "architecture") {
      fields >> std::ws;
      std::getline(fields, h.architecture);
    } else if (key == "networks") {
      fields >> h.networks;
    } else if (key == "mean_a") {
      h.a.mean = parse_vector(fields, where);
    } else if (key == "sd_a") {
      h.a.sd = parse_vector(fields, where);
    } else if (key == "mean_b") {
      h.b.mean = parse_vector(fields, where);
    } else if (key == "sd_b") {
      h.b.sd = parse_vector(fields, where);
    } else {
      throw Error(where + ": unknown key '" + key + "'");
    }
  }
  if (!seen_version || h.estimator.empty() || h.architecture.empty())
    throw Error("nde: '" + path.string() + "' is incomplete (needs orrery-nde, estimator and architecture lines)");
  if (h.a.mean.size() != h.a.sd.size() || h.b.mean.size() != h.b.sd.size())
    throw Error("nde: '" + path.string() + "': standardisation vectors of different lengths");
  return h;
}

}  // namespace orrery::nde
