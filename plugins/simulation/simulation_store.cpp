#include "simulation/simulation_store.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <orrery/atomic_file.hpp>
#include <orrery/error.hpp>

#include "simulation/npy_file.hpp"

namespace orrery::simulation {

namespace {

constexpr const char* kFormat = "sbi.simulations/1";

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void write_simulation_set(const std::filesystem::path& dir, const CampaignResult& result,
                          const std::vector<std::string>& parameter_names, const Shape& x_shape) {
  write_npy_columns(dir / "theta.npy", result.theta);
  write_npy_columns(dir / "x.npy", result.x);
  write_npy_columns(dir / "failed_theta.npy", result.failed_theta);

  std::ostringstream failures;
  failures << "# index\ttheta\tmessage\n";
  for (std::size_t j = 0; j < result.failed(); ++j) {
    failures << result.failed_index[j] << "\t";
    for (Eigen::Index r = 0; r < result.failed_theta.rows(); ++r)
      failures << (r ? " " : "") << number(result.failed_theta(r, static_cast<Eigen::Index>(j)));
    std::string message = result.failed_message[j];
    for (char& c : message)
      if (c == '\n' || c == '\t') c = ' ';
    failures << "\t" << message << "\n";
  }
  write_file_atomically(dir / "failures.txt", failures.str());

  std::ostringstream campaign;
  campaign << "format " << kFormat << "\n"
           << "requested " << result.requested << "\n"
           << "succeeded " << result.succeeded() << "\n"
           << "failed " << result.failed() << "\n"
           << "theta_dimension " << result.theta.rows() << "\n"
           << "x_dimension " << result.x.rows() << "\n"
           << "x_shape " << shape_string(x_shape) << "\n"
           << "parameters";
  for (const std::string& name : parameter_names) campaign << " " << name;
  campaign << "\n";
  write_file_atomically(dir / "campaign.txt", campaign.str());
}

CampaignCounts read_campaign_counts(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / "campaign.txt";
  std::ifstream in(path);
  if (!in) throw Error("simulation set '" + dir.string() + "': campaign.txt is missing");
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    if (space != std::string::npos) values[line.substr(0, space)] = line.substr(space + 1);
  }
  if (values["format"] != kFormat)
    throw Error("'" + path.string() + "': expected format " + kFormat + ", found '" + values["format"] + "'");
  CampaignCounts c;
  try {
    c.requested = std::stoull(values.at("requested"));
    c.succeeded = std::stoull(values.at("succeeded"));
    c.failed = std::stoull(values.at("failed"));
  } catch (const std::exception&) {
    throw Error("'" + path.string() + "': malformed counts (requested, succeeded, failed)");
  }
  return c;
}

SimulationSet read_simulation_set(const std::filesystem::path& dir, Eigen::Index theta_dimension,
                                  Eigen::Index x_dimension) {
  const CampaignCounts counts = read_campaign_counts(dir);
  SimulationSet set;
  set.theta = read_npy_columns(dir / "theta.npy", theta_dimension, "θ");
  set.x = read_npy_columns(dir / "x.npy", x_dimension, "simulations");
  if (set.theta.cols() != static_cast<Eigen::Index>(counts.succeeded) || set.x.cols() != set.theta.cols())
    throw Error("simulation set '" + dir.string() + "': campaign.txt lists " + std::to_string(counts.succeeded) +
                " successful simulations, but theta.npy has " + std::to_string(set.theta.cols()) +
                " rows and x.npy " + std::to_string(set.x.cols()));
  set.requested = counts.requested;
  set.failed = counts.failed;
  set.reused = true;
  set.directory = dir;
  return set;
}

}  // namespace orrery::simulation
