#include "simulation/simulation_campaign.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>

#include <orrery/error.hpp>

#include "simulation/simulation_store.hpp"

namespace orrery::simulation {

namespace {

constexpr std::size_t kShownFailures = 3;  // failures quoted in warnings and errors

std::string format_theta(const Eigen::Ref<const Eigen::VectorXd>& theta) {
  constexpr Eigen::Index kShown = 6;
  std::string s = "(";
  for (Eigen::Index i = 0; i < std::min(theta.size(), kShown); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", theta[i]);
    s += (i ? ", " : "") + std::string(buf);
  }
  if (theta.size() > kShown) s += ", ... (" + std::to_string(theta.size()) + " values)";
  return s + ")";
}

std::string nonfinite_message(const Eigen::Ref<const Eigen::VectorXd>& x) {
  Eigen::Index count = 0, first = -1;
  for (Eigen::Index j = 0; j < x.size(); ++j)
    if (!std::isfinite(x[j])) {
      if (first < 0) first = j;
      ++count;
    }
  return "non-finite output (" + std::string(std::isnan(x[first]) ? "NaN" : "infinity") + " at element " +
         std::to_string(first) + "; " + std::to_string(count) + " of " + std::to_string(x.size()) +
         " elements not finite)";
}

std::string first_failures(const CampaignResult& result) {
  std::string s;
  for (std::size_t j = 0; j < std::min(result.failed(), kShownFailures); ++j)
    s += (j ? "; " : "") + describe_failure(result, j);
  return s;
}

}  // namespace

namespace {

/// Writes the free θ of item i into its column; `theta_rng` is the item's θ stream base.split(i).split(0).
using ThetaOfItem = std::function<void(std::size_t, RandomStream&, Eigen::Ref<Eigen::VectorXd>)>;

CampaignResult simulate_items(const Simulator& simulator, const ParameterMap& map, std::size_t n,
                              const ThetaOfItem& theta_of, const RandomStream& base, Executor& executor,
                              Progress* progress) {
  const auto dim = static_cast<Eigen::Index>(map.free_dimension());
  const auto dim_x = static_cast<Eigen::Index>(simulator.output_size());
  Eigen::MatrixXd theta(dim, static_cast<Eigen::Index>(n));
  Eigen::MatrixXd x(dim_x, static_cast<Eigen::Index>(n));
  std::vector<std::string> message(n);  // empty: success

  // Chunks only amortise the θ buffer; every item has its own streams and
  // slot, so the chunk size cannot change the results.
  const std::size_t chunk = std::clamp<std::size_t>(n / (8 * std::max<std::size_t>(1, executor.concurrency())), 1, 64);
  const std::size_t chunks = (n + chunk - 1) / chunk;
  executor.parallel_for(chunks, [&](std::size_t c) {
    Eigen::VectorXd full(static_cast<Eigen::Index>(map.full_dimension()));
    const std::size_t end = std::min(n, (c + 1) * chunk);
    for (std::size_t i = c * chunk; i < end; ++i) {
      const auto col = static_cast<Eigen::Index>(i);
      const RandomStream item = base.split(i);
      RandomStream theta_rng = item.split(0);
      RandomStream sim_rng = item.split(1);
      theta_of(i, theta_rng, theta.col(col));
      map.to_full(theta.col(col), full);
      try {
        simulator.simulate(full, sim_rng, x.col(col));
        if (!x.col(col).allFinite()) message[i] = nonfinite_message(x.col(col));
      } catch (const std::exception& e) {
        message[i] = e.what();
        if (message[i].empty()) message[i] = "exception without a message";
      } catch (...) {
        message[i] = "unknown exception";
      }
    }
    if (progress != nullptr) progress->advance(end - c * chunk);
  });

  CampaignResult result;
  result.requested = n;
  std::size_t n_failed = 0;
  for (const std::string& m : message) n_failed += !m.empty();
  result.theta.resize(dim, static_cast<Eigen::Index>(n - n_failed));
  result.x.resize(dim_x, static_cast<Eigen::Index>(n - n_failed));
  result.failed_theta.resize(dim, static_cast<Eigen::Index>(n_failed));
  Eigen::Index ok = 0, bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto col = static_cast<Eigen::Index>(i);
    if (message[i].empty()) {
      result.theta.col(ok) = theta.col(col);
      result.x.col(ok++) = x.col(col);
    } else {
      result.failed_theta.col(bad++) = theta.col(col);
      result.failed_index.push_back(i);
      result.failed_message.push_back(std::move(message[i]));
    }
  }
  return result;
}

/// run_campaign's cache logic around `simulate(base, progress)`.
SimulationSet cached_campaign(const Simulator& simulator, const std::vector<std::string>& parameter_names,
                              Eigen::Index dim, const CampaignSettings& settings, Context& ctx,
                              const std::function<CampaignResult(const RandomStream&, Progress*)>& simulate) {
  const auto dim_x = static_cast<Eigen::Index>(simulator.output_size());
  if (const auto found = ctx.cache().find(settings.artifact)) {
    SimulationSet set = read_simulation_set(*found, dim, dim_x);
    if (set.requested != settings.simulations)
      throw Error("simulation set '" + found->string() + "' holds " + std::to_string(set.requested) +
                  " simulations, but " + std::to_string(settings.simulations) + " are asked for");
    ctx.logger().info("reusing " + std::to_string(set.x.cols()) + " simulations from the cache (" +
                      std::to_string(set.failed) + " of " + std::to_string(set.requested) + " failed): " +
                      found->string());
    return set;
  }

  CampaignResult result;
  {
    const auto progress = ctx.progress("simulations", settings.simulations);
    result = simulate(ctx.rng().split(settings.stream), progress.get());
  }
  check_failures(result, settings.max_failed_fraction, ctx.logger());
  ctx.logger().info(std::to_string(result.succeeded()) + " of " + std::to_string(result.requested) +
                    " simulations succeeded (" + std::to_string(result.failed()) + " failed)");
  const std::filesystem::path staging = ctx.cache().create(settings.artifact);
  write_simulation_set(staging, result, parameter_names, simulator.output_shape());

  SimulationSet set;
  set.theta = std::move(result.theta);
  set.x = std::move(result.x);
  set.requested = result.requested;
  set.failed = result.failed();
  set.directory = ctx.cache().commit(settings.artifact);
  return set;
}

}  // namespace

CampaignResult simulate_campaign(const Simulator& simulator, const Target& proposal, const ParameterMap& map,
                                 std::size_t n, const RandomStream& base, Executor& executor, Progress* progress) {
  if (proposal.space().dimension() != map.free_dimension())
    throw Error("internal: the proposal has " + std::to_string(proposal.space().dimension()) +
                " free parameters, the parameter map " + std::to_string(map.free_dimension()));
  return simulate_items(
      simulator, map, n,
      [&](std::size_t, RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta) { proposal.initial_point(rng, theta); },
      base, executor, progress);
}

CampaignResult simulate_at(const Simulator& simulator, const ParameterMap& map,
                           const Eigen::Ref<const Eigen::MatrixXd>& theta, const RandomStream& base,
                           Executor& executor, Progress* progress) {
  if (static_cast<std::size_t>(theta.rows()) != map.free_dimension())
    throw Error("internal: θ has " + std::to_string(theta.rows()) + " rows, the parameter map " +
                std::to_string(map.free_dimension()) + " free parameters");
  return simulate_items(
      simulator, map, static_cast<std::size_t>(theta.cols()),
      [&](std::size_t i, RandomStream&, Eigen::Ref<Eigen::VectorXd> out) {
        out = theta.col(static_cast<Eigen::Index>(i));
      },
      base, executor, progress);
}

std::string describe_failure(const CampaignResult& result, std::size_t j) {
  return "simulation " + std::to_string(result.failed_index[j]) + " at θ = " +
         format_theta(result.failed_theta.col(static_cast<Eigen::Index>(j))) + ": " + result.failed_message[j];
}

void check_failures(const CampaignResult& result, double max_failed_fraction, Logger& logger) {
  const std::size_t failed = result.failed(), n = result.requested;
  if (failed == 0) return;
  const std::string count = std::to_string(failed) + " of " + std::to_string(n) + " simulations failed";
  if (failed == n) throw Error("all " + std::to_string(n) + " simulations failed; the first: " + first_failures(result));
  if (static_cast<double>(failed) > max_failed_fraction * static_cast<double>(n)) {
    char fraction[32];
    std::snprintf(fraction, sizeof fraction, "%g", max_failed_fraction);
    throw Error(count + ", more than max_failed_fraction = " + fraction +
                " allows; the first: " + first_failures(result));
  }
  logger.warn(count + " (NaN, infinity or an exception) and are excluded from training; the first: " +
              first_failures(result));
}

SimulationSet run_campaign(const Simulator& simulator, const Target& proposal, const ParameterMap& map,
                           const CampaignSettings& settings, Context& ctx) {
  return cached_campaign(simulator, proposal.space().element_names(), static_cast<Eigen::Index>(map.free_dimension()),
                         settings, ctx, [&](const RandomStream& base, Progress* progress) {
                           return simulate_campaign(simulator, proposal, map, settings.simulations, base,
                                                    ctx.executor(), progress);
                         });
}

SimulationSet run_campaign_at(const Simulator& simulator, const Eigen::Ref<const Eigen::MatrixXd>& theta,
                              const std::vector<std::string>& parameter_names, const ParameterMap& map,
                              const CampaignSettings& settings, Context& ctx) {
  if (static_cast<std::size_t>(theta.cols()) != settings.simulations)
    throw Error("internal: " + std::to_string(theta.cols()) + " θ given for " + std::to_string(settings.simulations) +
                " simulations");
  return cached_campaign(simulator, parameter_names, static_cast<Eigen::Index>(map.free_dimension()), settings, ctx,
                         [&](const RandomStream& base, Progress* progress) {
                           return simulate_at(simulator, map, theta, base, ctx.executor(), progress);
                         });
}

}  // namespace orrery::simulation
