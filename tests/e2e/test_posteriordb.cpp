// End to end: NUTS (samplers.nuts) through the real CLI on five posteriordb
// reference posteriors (../shared/validation/posteriordb/README.md), using the
// `posteriordb` fixture plugin's models and `flat` priors. For every reference
// parameter p, the README's pass rule is applied to E[p] and to E[p²]:
//
//   |mean_ours - mean_ref| < 4·sqrt(mcse_ours² + mcse_ref²),
//
// with mcse_ours = sd / sqrt(ESS) from our own chains. Plus: kidiq's and
// earnings' beta means against their exact values (flat beta prior), few
// divergences on the non-centred eight schools, and divergences reported on
// the centred one.
#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli_harness.hpp"

using orrery::test::kFixturePlugins;
using orrery::test::Workspace;

namespace {

const std::filesystem::path kPosteriordb = std::filesystem::path(ORRERY_VALIDATION_DIR) / "posteriordb";

constexpr int kChains = 4;
constexpr int kWarmup = 1000;
constexpr int kSteps = 5000;  // 20 000 draws in all, twice the reference's

// --- reading -------------------------------------------------------------------

/// posteriordb's reference E[p] and E[p²] with their MCSEs, by Stan name ("beta[1]").
struct Reference {
  std::vector<std::string> names;
  std::vector<double> mean, mean_mcse, square, square_mcse;
};

Reference read_reference(const std::string& posterior) {
  auto json = [&](const char* file) {
    std::ifstream in(kPosteriordb / posterior / file);
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
  };
  const nlohmann::json means = json("reference_mean_value.json");
  const nlohmann::json squares = json("reference_mean_squared_value.json");
  Reference r;
  r.names = means.at("names").get<std::vector<std::string>>();
  r.mean = means.at("mean_value").get<std::vector<double>>();
  r.mean_mcse = means.at("mcse_mean").get<std::vector<double>>();
  REQUIRE(squares.at("names").get<std::vector<std::string>>() == r.names);
  r.square = squares.at("mean_squared_value").get<std::vector<double>>();
  r.square_mcse = squares.at("mcse_mean").get<std::vector<double>>();
  return r;
}

/// The draws of a run's GetDist chain, one series per chain for every column.
class Draws {
 public:
  Draws(const Workspace& ws, const std::string& run) {
    std::istringstream names(ws.read("runs/" + run + "/chain.paramnames"));
    for (std::string line; std::getline(names, line);)
      if (!line.empty()) columns_[line.substr(0, line.find('\t'))] = columns_.size();
    std::vector<std::vector<double>> rows;
    std::istringstream chain(ws.read("runs/" + run + "/chain.txt"));
    for (std::string line; std::getline(chain, line);) {
      std::istringstream fields(line);
      std::vector<double> row;
      for (double x; fields >> x;) row.push_back(x);
      if (!row.empty()) rows.push_back(row);
    }
    // The kernel writes the chains one after another, each kSteps rows of
    // weight, -log density, then the parameters.
    REQUIRE(rows.size() == static_cast<std::size_t>(kChains * kSteps));
    data_.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(columns_.size()));
    std::size_t malformed = 0;  // rows of the wrong width or weight (NUTS draws all weigh 1)
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].size() != columns_.size() + 2 || rows[i][0] != 1.0) {
        ++malformed;
        continue;
      }
      for (std::size_t k = 0; k < columns_.size(); ++k)
        data_(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = rows[i][k + 2];
    }
    REQUIRE(malformed == 0);
  }

  /// The draws of parameter `name` ("beta[0]"), one vector per chain.
  [[nodiscard]] std::vector<Eigen::VectorXd> chains(const std::string& name) const {
    const auto it = columns_.find(name);
    INFO("parameter " << name);
    REQUIRE(it != columns_.end());
    std::vector<Eigen::VectorXd> out;
    for (int c = 0; c < kChains; ++c)
      out.emplace_back(data_.col(static_cast<Eigen::Index>(it->second)).segment(c * kSteps, kSteps));
    return out;
  }

 private:
  std::map<std::string, std::size_t> columns_;
  Eigen::MatrixXd data_;
};

// --- Monte Carlo error -----------------------------------------------------------

/// Effective sample size of one scalar over several chains: the multi-chain
/// autocorrelation estimate (Gelman et al., BDA3 §11.5; as in Stan) on split
/// chains, summed with Geyer's initial monotone sequence. Written out here so
/// the check does not rest on the kernel's own diagnostics.
double effective_sample_size(const std::vector<Eigen::VectorXd>& chains) {
  std::vector<Eigen::VectorXd> halves;
  for (const Eigen::VectorXd& c : chains) {
    const Eigen::Index half = c.size() / 2;
    halves.emplace_back(c.head(half));
    halves.emplace_back(c.tail(half));
  }
  const auto m = static_cast<double>(halves.size());
  const Eigen::Index n = halves.front().size();
  std::vector<Eigen::VectorXd> centred;
  Eigen::VectorXd means(static_cast<Eigen::Index>(halves.size()));
  for (std::size_t j = 0; j < halves.size(); ++j) {
    means[static_cast<Eigen::Index>(j)] = halves[j].mean();
    centred.emplace_back(halves[j].array() - halves[j].mean());
  }
  // Mean over chains of the autocovariance at `lag` (normalised by n, as Geyer).
  auto autocovariance = [&](Eigen::Index lag) {
    double sum = 0.0;
    for (const Eigen::VectorXd& d : centred) sum += d.head(n - lag).dot(d.tail(n - lag));
    return sum / (m * static_cast<double>(n));
  };
  const double within = autocovariance(0) * static_cast<double>(n) / static_cast<double>(n - 1);
  const double between = (means.array() - means.mean()).square().sum() / (m - 1.0);  // variance of the means
  const double var_plus = within * static_cast<double>(n - 1) / static_cast<double>(n) + between;
  auto rho = [&](Eigen::Index lag) { return 1.0 - (within - autocovariance(lag)) / var_plus; };

  double tau = -1.0;
  double previous_pair = std::numeric_limits<double>::infinity();
  for (Eigen::Index t = 0; t + 1 < n; t += 2) {
    double pair = rho(t) + rho(t + 1);
    if (pair <= 0.0) break;
    pair = std::min(pair, previous_pair);  // monotone
    previous_pair = pair;
    tau += 2.0 * pair;
  }
  const double total = m * static_cast<double>(n);
  tau = std::max(tau, 1.0 / std::log10(total));  // Stan's cap for antithetic chains
  return total / tau;
}

struct McEstimate {
  double mean = 0.0;
  double mcse = 0.0;
  double ess = 0.0;
};

McEstimate estimate(const std::vector<Eigen::VectorXd>& chains) {
  double sum = 0.0, count = 0.0;
  for (const Eigen::VectorXd& c : chains) {
    sum += c.sum();
    count += static_cast<double>(c.size());
  }
  const double mean = sum / count;
  double scatter = 0.0;
  for (const Eigen::VectorXd& c : chains) scatter += (c.array() - mean).square().sum();
  const double sd = std::sqrt(scatter / (count - 1.0));
  const double ess = effective_sample_size(chains);
  return {mean, sd / std::sqrt(ess), ess};
}

// --- the pass rule -------------------------------------------------------------

/// Our chains' draws of the reference parameter with Stan name `name`.
using Series = std::function<std::vector<Eigen::VectorXd>(const std::string& name)>;

/// "beta[2]" (Stan, 1-based) → "beta[1]" (Orrery's chain column, 0-based).
std::string column_name(const std::string& stan_name) {
  const auto open = stan_name.find('[');
  if (open == std::string::npos) return stan_name;
  const int index = std::stoi(stan_name.substr(open + 1));
  return stan_name.substr(0, open) + "[" + std::to_string(index - 1) + "]";
}

/// Applies the pass rule to E[p] and E[p²] of every reference parameter and
/// prints the largest |z| of each.
void check_against_reference(const std::string& posterior, const Series& series, double seconds) {
  const Reference ref = read_reference(posterior);
  double max_z_mean = 0.0, max_z_square = 0.0, min_ess = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < ref.names.size(); ++i) {
    const std::vector<Eigen::VectorXd> draws = series(ref.names[i]);
    std::vector<Eigen::VectorXd> squares;
    for (const Eigen::VectorXd& c : draws) squares.emplace_back(c.array().square());
    const McEstimate mean = estimate(draws), square = estimate(squares);
    const double z_mean = (mean.mean - ref.mean[i]) / std::hypot(mean.mcse, ref.mean_mcse[i]);
    const double z_square = (square.mean - ref.square[i]) / std::hypot(square.mcse, ref.square_mcse[i]);
    INFO(posterior << " " << ref.names[i] << ": E[p] = " << mean.mean << " ± " << mean.mcse << " (ESS " << mean.ess
                   << ") vs " << ref.mean[i] << " ± " << ref.mean_mcse[i] << ", z = " << z_mean << "; E[p²] = "
                   << square.mean << " ± " << square.mcse << " (ESS " << square.ess << ") vs " << ref.square[i]
                   << " ± " << ref.square_mcse[i] << ", z = " << z_square);
    CHECK(std::abs(z_mean) < 4.0);
    CHECK(std::abs(z_square) < 4.0);
    // The rule must stay sharp: a poorly mixing chain would pass it through a
    // large MCSE. Ask for at least a tenth of the draws as effective samples.
    CHECK(mean.ess > 0.1 * kChains * kSteps);
    CHECK(square.ess > 0.1 * kChains * kSteps);
    max_z_mean = std::max(max_z_mean, std::abs(z_mean));
    max_z_square = std::max(max_z_square, std::abs(z_square));
    min_ess = std::min({min_ess, mean.ess, square.ess});
  }
  std::printf("posteriordb %-42s max |z|: mean %.2f, mean square %.2f; min ESS %.0f; run %.1f s\n", posterior.c_str(),
              max_z_mean, max_z_square, min_ess, seconds);
}

/// The least-squares line y ≈ b_1 + b_2·x through the posterior's data.
/// With a flat prior on beta, beta | sigma, y ~ N(b, sigma²(XᵀX)⁻¹) whatever
/// the prior on sigma, so E[beta | y] = b exactly: a reference without
/// Monte Carlo error (posteriordb's own means carry theirs).
std::pair<double, double> least_squares_line(const std::string& posterior, const char* x_key, const char* y_key) {
  std::ifstream in(kPosteriordb / posterior / "data.json");
  REQUIRE(in.good());
  const nlohmann::json data = nlohmann::json::parse(in);
  const auto x = data.at(x_key).get<std::vector<double>>(), y = data.at(y_key).get<std::vector<double>>();
  REQUIRE(x.size() == y.size());
  const Eigen::Map<const Eigen::VectorXd> xs(x.data(), static_cast<Eigen::Index>(x.size()));
  const Eigen::Map<const Eigen::VectorXd> ys(y.data(), static_cast<Eigen::Index>(y.size()));
  const Eigen::VectorXd dx = xs.array() - xs.mean(), dy = ys.array() - ys.mean();
  const double slope = dx.dot(dy) / dx.squaredNorm();
  return {ys.mean() - slope * xs.mean(), slope};
}

/// Our E[beta_1] and E[beta_2] agree with the exact posterior means within 4 MCSE.
void check_exact_beta_means(const std::string& posterior, const Draws& draws, std::pair<double, double> exact) {
  const double expected[] = {exact.first, exact.second};
  for (int k = 0; k < 2; ++k) {
    const McEstimate mean = estimate(draws.chains("beta[" + std::to_string(k) + "]"));
    const double z = (mean.mean - expected[k]) / mean.mcse;
    INFO(posterior << " beta[" << k + 1 << "]: E[p] = " << mean.mean << " ± " << mean.mcse << " vs exact "
                   << expected[k] << ", z = " << z);
    CHECK(std::abs(z) < 4.0);
    std::printf("posteriordb %-42s beta[%d] against the exact posterior mean: z = %.2f\n", posterior.c_str(), k + 1, z);
  }
}

// --- running -------------------------------------------------------------------

/// One analysis of a posteriordb posterior with NUTS and flat priors.
struct Analysis {
  std::string name;             // the analysis name, and its folder under runs/
  std::string posterior;        // posteriordb's name: its data (and its reference)
  std::string model;            // the fixture plugin
  std::string parameters;       // the [parameters] TOML
  std::string nuts_extra = "";  // more NUTS options (e.g. delta)
};

/// `posterior`'s data.json, as a TOML literal string.
std::string data_file(const std::string& posterior) {
  return "'" + (kPosteriordb / posterior / "data.json").string() + "'";
}

/// The NUTS sampler section; `extra` adds options (e.g. delta).
std::string nuts(const std::string& extra = "") {
  return "[components.sampler]\nplugin = \"samplers.nuts\"\nchains = " + std::to_string(kChains) +
         "\nwarmup = " + std::to_string(kWarmup) + "\nsteps = " + std::to_string(kSteps) + "\n" + extra;
}

/// The [parameters] TOML of the regressions: sigma > 0 and a vector beta of `betas`, all flat.
std::string regression_parameters(int betas) {
  return "[parameters]\nsigma = { prior = \"flat\", min = 0 }\n[parameters.beta]\nshape = [" + std::to_string(betas) +
         "]\nprior = \"flat\"\n";
}

/// Writes and runs `a` (it must succeed); returns the wall time in seconds.
double run(const Workspace& ws, const Analysis& a) {
  ws.write(a.name + ".toml", "[analysis]\nname = \"" + a.name + "\"\nseed = 20251125\n" + a.parameters +
                                 "[components.model]\nplugin = \"" + a.model + "\"\ndata = " + data_file(a.posterior) +
                                 "\n" + nuts(a.nuts_extra));
  const auto start = std::chrono::steady_clock::now();
  const auto r = ws.orrery("run " + a.name + ".toml -q", kFixturePlugins);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return seconds;
}

/// Reference parameters read straight from the chain columns.
Series columns(const Draws& draws) {
  return [&draws](const std::string& name) { return draws.chains(column_name(name)); };
}

/// Runs `a` and applies the pass rule to its chain columns as they are; returns the draws.
Draws run_against_reference(const Workspace& ws, const Analysis& a) {
  const double seconds = run(ws, a);
  Draws draws(ws, a.name);
  check_against_reference(a.posterior, columns(draws), seconds);
  return draws;
}

/// The divergences of run `name`'s sampler, also printed under `label`.
double divergences(const Workspace& ws, const std::string& name, const std::string& label) {
  const double count =
      ws.json("runs/" + name + "/summary.json")["samplers"]["sampler"]["statistics"]["divergences"].get<double>();
  std::printf("posteriordb %s: %g divergences in %d draws\n", label.c_str(), count, kChains * kSteps);
  return count;
}

}  // namespace

TEST_CASE("NUTS matches posteriordb: eight_schools_noncentered", "[e2e][posteriordb][nuts]") {
  Workspace ws;
  const Analysis eight_schools{.name = "eight_schools",
                               .posterior = "eight_schools-eight_schools_noncentered",
                               .model = "posteriordb.eight_schools_noncentered",
                               .parameters = R"([parameters]
mu = { prior = "flat" }
tau = { prior = "flat", min = 0 }
[parameters.theta_trans]
shape = [8]
prior = "flat"
)",
                               .nuts_extra = "delta = 0.95\n"};
  const double seconds = run(ws, eight_schools);
  const Draws draws(ws, eight_schools.name);
  // posteriordb's reference run had none; the non-centred form exists to
  // avoid them. (A handful would be bad luck, not a bug: allow 0.1%.)
  CHECK(divergences(ws, eight_schools.name, "eight_schools_noncentered") <= 0.001 * kChains * kSteps);
  // The reference holds the derived theta_j = mu + tau·theta_trans_j.
  const Series series = [&draws](const std::string& name) {
    if (name.rfind("theta[", 0) != 0) return draws.chains(name);
    const std::vector<Eigen::VectorXd> mu = draws.chains("mu"), tau = draws.chains("tau");
    const std::vector<Eigen::VectorXd> z = draws.chains(column_name("theta_trans" + name.substr(5)));
    std::vector<Eigen::VectorXd> theta;
    for (std::size_t c = 0; c < mu.size(); ++c) theta.emplace_back(mu[c].array() + tau[c].array() * z[c].array());
    return theta;
  };
  check_against_reference(eight_schools.posterior, series, seconds);
}

TEST_CASE("NUTS matches posteriordb: sblrc-blr", "[e2e][posteriordb][nuts]") {
  Workspace ws;
  run_against_reference(ws, {.name = "blr",
                             .posterior = "sblrc-blr",
                             .model = "posteriordb.blr",
                             .parameters = regression_parameters(5)});
}

TEST_CASE("NUTS matches posteriordb: kidiq-kidscore_momiq", "[e2e][posteriordb][nuts]") {
  Workspace ws;
  const Draws draws = run_against_reference(ws, {.name = "kidiq",
                                                 .posterior = "kidiq-kidscore_momiq",
                                                 .model = "posteriordb.kidiq_momiq",
                                                 .parameters = regression_parameters(2)});
  check_exact_beta_means("kidiq-kidscore_momiq", draws,
                         least_squares_line("kidiq-kidscore_momiq", "mom_iq", "kid_score"));
}

TEST_CASE("NUTS matches posteriordb: earnings-earn_height", "[e2e][posteriordb][nuts]") {
  Workspace ws;
  const Draws draws = run_against_reference(ws, {.name = "earnings",
                                                 .posterior = "earnings-earn_height",
                                                 .model = "posteriordb.earnings_height",
                                                 .parameters = regression_parameters(2)});
  check_exact_beta_means("earnings-earn_height", draws, least_squares_line("earnings-earn_height", "height", "earn"));
}

TEST_CASE("NUTS matches posteriordb: arK-arK", "[e2e][posteriordb][nuts]") {
  Workspace ws;
  run_against_reference(ws, {.name = "ark",
                             .posterior = "arK-arK",
                             .model = "posteriordb.ark",
                             .parameters = R"([parameters]
alpha = { prior = "flat" }
sigma = { prior = "flat", min = 0 }
[parameters.beta]
shape = [5]
prior = "flat"
)"});
}

TEST_CASE("NUTS reports divergences on the centred eight-schools funnel", "[e2e][posteriordb][nuts]") {
  Workspace ws;
  run(ws, {.name = "centered",
           .posterior = "eight_schools-eight_schools_noncentered",
           .model = "posteriordb.eight_schools_centered",
           .parameters = R"([parameters]
mu = { prior = "flat" }
tau = { prior = "flat", min = 0 }
[parameters.theta]
shape = [8]
prior = "flat"
)"});
  CHECK(divergences(ws, "centered", "eight_schools_centered") > 0);
  CHECK_THAT(ws.read("runs/centered/summary.txt"), Catch::Contains("divergences: "));
}
