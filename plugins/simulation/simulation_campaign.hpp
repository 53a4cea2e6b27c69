// Simulation campaigns: draw θ from a proposal Target, run a Simulator at each
// θ in parallel, and keep the (θ, x) pairs, with failed simulations counted and
// excluded explicitly.
//
// Determinism: item i draws its θ from base.split(i).split(0) through
// proposal.initial_point() (for the kernel's "@prior" an exact prior draw over
// the free parameters) and simulates with base.split(i).split(1). Every item
// writes only its own slot, so the set is bit-identical whatever the thread
// count or scheduling of ctx.executor().
//
// Failures: a simulation that throws (SimulationFailure, or any other
// exception) or returns a non-finite value is a failure. Failures are
// excluded from the set, counted, and their θ and message kept; the caller
// decides (check_failures) whether there are too many. A proposal whose
// initial_point() throws is not a simulation failure: that error propagates.
//
// simulate_at() and run_campaign_at() simulate at θ given in advance (sbi.snle's
// rounds after the first), item i with the same simulation stream.
//
// run_campaign() adds the artifact cache: the set is stored as artifact
// `settings.artifact` of the calling component (simulation_store.hpp) and a
// later run with the same cache key reads it instead of simulating.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <orrery/context.hpp>
#include <orrery/random.hpp>
#include <orrery/simulator.hpp>
#include <orrery/target.hpp>

#include "simulation/parameter_map.hpp"

namespace orrery::simulation {

/// What simulate_campaign() produced, before any file is written.
struct CampaignResult {
  Eigen::MatrixXd theta;         ///< free θ of the successful simulations, dim θ × n_ok (in item order)
  Eigen::MatrixXd x;             ///< their outputs, output_size × n_ok
  Eigen::MatrixXd failed_theta;  ///< free θ of the failed ones, dim θ × n_failed
  std::vector<std::size_t> failed_index;  ///< item index of each failure
  std::vector<std::string> failed_message;  ///< why each failed ("non-finite output ...", the exception's text)
  std::size_t requested = 0;
  [[nodiscard]] std::size_t failed() const { return failed_index.size(); }
  [[nodiscard]] std::size_t succeeded() const { return static_cast<std::size_t>(theta.cols()); }
};

/// Runs `n` simulations (see the header comment), advancing `progress` (may be
/// nullptr) by one per simulation.
CampaignResult simulate_campaign(const Simulator& simulator, const Target& proposal, const ParameterMap& map,
                                 std::size_t n, const RandomStream& base, Executor& executor, Progress* progress);

/// The same campaign at given θ: item i simulates at the free θ.col(i) with
/// base.split(i).split(1), exactly the stream simulate_campaign gives item i,
/// so it is bit-identical whatever the thread count.
CampaignResult simulate_at(const Simulator& simulator, const ParameterMap& map,
                           const Eigen::Ref<const Eigen::MatrixXd>& theta, const RandomStream& base,
                           Executor& executor, Progress* progress);

/// "simulation 17 at θ = (0.1, 2.3): <message>" for failure j.
std::string describe_failure(const CampaignResult& result, std::size_t j);

/// Throws Error when every simulation failed, or more than
/// `max_failed_fraction` of them; otherwise logs a warning with the count and
/// the first few failures when there are any.
void check_failures(const CampaignResult& result, double max_failed_fraction, Logger& logger);

struct CampaignSettings {
  std::size_t simulations = 0;
  double max_failed_fraction = 0.5;
  std::string artifact = "simulations";  ///< artifact name in the component's cache
  std::string stream = "simulations";    ///< base stream = ctx.rng().split(stream)
};

/// A simulation set ready for training.
struct SimulationSet {
  Eigen::MatrixXd theta;  ///< dim θ_free × n_ok
  Eigen::MatrixXd x;      ///< output_size × n_ok
  std::size_t requested = 0;
  std::size_t failed = 0;
  bool reused = false;    ///< read from the artifact cache
  std::filesystem::path directory;  ///< the committed artifact folder
};

/// The cached campaign: reads artifact `settings.artifact` when the cache has
/// it, otherwise simulates (with a progress bar), checks the failures, writes
/// the artifact and commits it. Nothing is committed when check_failures throws.
SimulationSet run_campaign(const Simulator& simulator, const Target& proposal, const ParameterMap& map,
                           const CampaignSettings& settings, Context& ctx);

/// run_campaign at θ given in advance (dim θ_free × settings.simulations;
/// sbi.snle's MCMC proposal draws), with the same cache logic;
/// `parameter_names` are the free elements' names for campaign.txt.
SimulationSet run_campaign_at(const Simulator& simulator, const Eigen::Ref<const Eigen::MatrixXd>& theta,
                              const std::vector<std::string>& parameter_names, const ParameterMap& map,
                              const CampaignSettings& settings, Context& ctx);

}  // namespace orrery::simulation
