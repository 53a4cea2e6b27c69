#include "run_engine.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <sys/types.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <orrery/sampler.hpp>
#include <orrery/task.hpp>

#include "chain_summary.hpp"
#include "output_files.hpp"
#include "posterior.hpp"
#include "toml_values.hpp"

#include "orrery_git_commit.hpp"  // generated at build time
#ifndef ORRERY_VERSION
#define ORRERY_VERSION "0.0.0"
#endif

namespace orrery::kernel {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

/// The commit of the git repository holding the config file, if any.
std::string config_git_commit(const fs::path& config) {
  const std::string dir = fs::absolute(config).parent_path().string();
  const std::string cmd = "git -C '" + dir + "' rev-parse --verify --quiet HEAD 2>/dev/null";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return {};
  char buf[64] = {};
  const bool got = std::fgets(buf, sizeof buf, pipe) != nullptr;
  if (::pclose(pipe) != 0 || !got) return {};  // not a repository, or no commit yet
  std::string s(buf);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s.size() == 40 ? s : std::string();
}

json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

std::string fmt(double x, const char* spec = "%.4g") {
  if (std::isnan(x)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, spec, x);
  return buf;
}

std::string pad(const std::string& s, std::size_t width) { return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' '); }

/// Human table of scalar summaries; field blocks are condensed to one line.
std::string summary_table(const std::vector<ParameterSummary>& rows, const ParameterSpace& space) {
  std::ostringstream os;
  os << "  " << pad("parameter", 14) << pad("mean", 12) << pad("sd", 12) << pad("16%", 12) << pad("50%", 12)
     << pad("84%", 12) << pad("R-hat", 8) << pad("ESS-bulk", 10) << pad("ESS-tail", 10) << pad("MCSE", 12) << "IAT\n";
  std::size_t k = 0;
  for (const ParameterBlock& b : space.blocks()) {
    if (b.is_scalar() && k < rows.size()) {
      const auto& r = rows[k];
      os << "  " << pad(r.name, 14) << pad(fmt(r.mean), 12) << pad(fmt(r.sd), 12) << pad(fmt(r.q16), 12)
         << pad(fmt(r.q50), 12) << pad(fmt(r.q84), 12) << pad(fmt(r.rhat, "%.3f"), 8)
         << pad(fmt(r.ess_bulk, "%.0f"), 10) << pad(fmt(r.ess_tail, "%.0f"), 10) << pad(fmt(r.mcse_mean, "%.2g"), 12)
         << fmt(r.iat, "%.1f") << "\n";
    } else if (!b.is_scalar()) {
      // fmax/fmin skip NaN (weighted or constant elements); all NaN prints "-".
      double max_rhat = std::numeric_limits<double>::quiet_NaN(), min_ess = max_rhat;
      for (std::size_t e = 0; e < b.size() && k + e < rows.size(); ++e) {
        max_rhat = std::fmax(max_rhat, rows[k + e].rhat);
        min_ess = std::fmin(min_ess, rows[k + e].ess_bulk);
      }
      os << "  " << pad(b.name + shape_string(b.shape), 14) << "field: max R-hat " << fmt(max_rhat, "%.3f")
         << ", min bulk ESS " << fmt(min_ess, "%.0f") << "\n";
    }
    k += b.size();
  }
  return os.str();
}

/// The config as it was run: overrides applied, component defaults filled in.
Value resolved_config(const Analysis& analysis) {
  Value root = analysis.config().root;
  if (Value* components = root.find("components"))
    for (auto& [name, table] : components->as_table())
      if (const auto node = analysis.graph().find(name)) table = analysis.graph().nodes[*node].options;
  // Prior options of [parameters] entries, defaults included.
  if (Value* parameters = root.find("parameters"))
    for (const Node& n : analysis.graph().nodes) {
      if (n.origin != Node::Origin::ParameterPrior) continue;
      Value* entry = parameters->find(analysis.graph().parameters[*n.parameter].name);
      if (!entry || !entry->is_table()) continue;
      for (const auto& [key, v] : n.options.as_table())
        if (!entry->find(key)) entry->as_table().emplace_back(key, v);
    }
  return root;
}

class RunOutputs {
 public:
  RunOutputs(const fs::path& final_dir, bool force) : final_(final_dir), force_(force) {
    std::error_code ec;
    if (fs::exists(final_, ec) && !force_)
      throw Error("output folder '" + final_.string() +
                  "' already exists; pass --force to replace it, or change [analysis] name (or output)");
    staging_ = final_.parent_path() / ("." + final_.filename().string() + ".staging-" + std::to_string(::getpid()));
    remove_stale_staging();
    fs::create_directories(final_.parent_path(), ec);
    if (!ec) {
      fs::remove_all(staging_, ec);
      fs::create_directory(staging_, ec);
    }
    if (ec)
      throw Error("cannot create output folder in '" + final_.parent_path().string() + "': " + ec.message() +
                  " (set [analysis] output to a writable folder)");
  }
  ~RunOutputs() {
    if (!published_) {
      set_log_file({});
      std::error_code ec;
      fs::remove_all(staging_, ec);
    }
  }
  [[nodiscard]] const fs::path& staging() const { return staging_; }

 private:
  /// Removes staging folders of this output name left by runs whose process
  /// no longer exists (killed, or crashed): they never hold published results.
  void remove_stale_staging() const {
    const std::string prefix = "." + final_.filename().string() + ".staging-";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(final_.parent_path(), ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string pid_text = name.substr(prefix.size());
      char* end = nullptr;
      const long pid = std::strtol(pid_text.c_str(), &end, 10);
      if (pid <= 0 || end == pid_text.c_str() || *end != '\0') continue;
      if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
    }
  }

 public:

  void publish() {
    set_log_file({});
    std::error_code ec;
    fs::path replaced;
    if (fs::exists(final_, ec)) {
      // Another run may have published the same name while this one ran.
      if (!force_) throw Error("output folder '" + final_.string() + "' appeared while this run was in progress; pass --force to replace it");
      replaced = final_.parent_path() / ("." + final_.filename().string() + ".replaced-" + std::to_string(::getpid()));
      fs::rename(final_, replaced);
    }
    fs::rename(staging_, final_);
    published_ = true;
    if (!replaced.empty()) fs::remove_all(replaced, ec);
  }

 private:
  fs::path final_, staging_;
  bool force_;
  bool published_ = false;
};

}  // namespace

fs::path run_analysis(const RunRequest& request) {
  const auto run_start = Clock::now();
  const std::string started = utc_now();
  Analysis analysis(request.config, request.settings);
  const AnalysisConfig& cfg = analysis.config();
  auto log = kernel_logger();

  const auto construct_start = Clock::now();
  analysis.construct();
  const double construct_seconds = seconds_since(construct_start);
  const std::vector<std::size_t> runnables = analysis.selected_runnables(request.only);
  if (runnables.empty())
    throw ConfigError(SourceLocation{cfg.file.string()},
                      "nothing to run: the analysis has no sampler or task (add e.g. [components.sampler] with plugin = \"samplers.metropolis\")");

  RunOutputs outputs(cfg.output / cfg.name, request.force);
  RunCheckpoints checkpoints(cfg.output / ("." + cfg.name + ".checkpoint"), to_toml(resolved_config(analysis)),
                             request.checkpoint_interval, request.resume, request.force);
  set_log_file(outputs.staging() / "log.txt");
  analysis.set_output_dir(outputs.staging());
  analysis.set_checkpoints(&checkpoints);
  log->info("analysis '{}' (seed {}), {} component(s); output {}", cfg.name, cfg.seed, analysis.graph().nodes.size(),
            (cfg.output / cfg.name).string());
  if (checkpoints.resuming()) log->info("resuming from the checkpoint in {}", checkpoints.folder().string());

  analysis.prepare(runnables);

  json summary_json = {{"analysis", cfg.name}, {"seed", cfg.seed}, {"samplers", json::object()}, {"tasks", json::object()}};
  std::ostringstream summary;
  summary << "Orrery run '" << cfg.name << "'  (seed " << cfg.seed << ", " << started << ")\n";
  json timings = {{"construct_s", construct_seconds}, {"prepare_s", json::object()}, {"run_s", json::object()}};
  for (const auto& [name, s] : analysis.prepare_times()) timings["prepare_s"][name] = s;
  std::vector<std::string> files;
  std::size_t sampler_count = 0;
  for (std::size_t i : runnables) sampler_count += analysis.graph().nodes[i].kind == Kind::Sampler;

  for (std::size_t i : runnables) {
    const Node& node = analysis.graph().nodes[i];
    const auto start = Clock::now();
    log->info("running '{}' ({})", node.name, node.plugin_name());
    if (node.kind == Kind::Sampler) {
      auto& sampler = static_cast<Sampler&>(analysis.instance(i));
      const auto* posterior = dynamic_cast<const Posterior*>(&sampler.target());
      const std::uint64_t nonfinite_before = posterior ? posterior->nonfinite_likelihoods() : 0;
      SampleSet samples;
      try {
        samples = sampler.run(analysis.context(i));
      } catch (...) {
        if (checkpoints.holds_work())
          log->warn("the checkpoint in {} keeps the work done so far: rerun with --resume once the problem is fixed "
                    "(an unchanged config), or with --force to start over",
                    checkpoints.folder().string());
        analysis.rethrow_with_component(i, "while sampling");
      }
      const double seconds = seconds_since(start);
      timings["run_s"][node.name] = seconds;
      const ParameterSpace& space = sampler.target().space();
      if (samples.chains.empty()) throw Error("component '" + node.name + "' (" + node.plugin_name() + ") returned no chains");
      for (const Chain& c : samples.chains)
        if (c.draws.cols() != static_cast<Eigen::Index>(space.dimension()) || c.log_density.size() != c.draws.rows() ||
            (c.weights.size() != 0 && c.weights.size() != c.draws.rows()) || c.draws.rows() != samples.chains.front().draws.rows())
          throw Error("component '" + node.name + "' (" + node.plugin_name() +
                      ") returned malformed chains: every chain needs the same number of draws, " +
                      std::to_string(space.dimension()) + " columns, and one log-density (and weight) per draw");
      const std::string root = sampler_count == 1 ? "chain" : "chain_" + node.name;
      for (auto& f : write_getdist(outputs.staging(), root, samples, space)) files.push_back(f);
      for (auto& f : write_draw_statistics(outputs.staging(), root, samples)) files.push_back(f);

      const auto rows = summarise(samples, space.element_names(), &analysis.executor());
      std::uint64_t draws = 0, evaluations = 0, rejected = 0;
      double acceptance = 0;
      for (const Chain& c : samples.chains) {
        draws += static_cast<std::uint64_t>(c.draws.rows());
        evaluations += c.evaluations;
        rejected += c.nonfinite_rejections;
        acceptance += c.acceptance_rate / static_cast<double>(samples.chains.size());
      }
      const std::uint64_t likelihood_rejections = posterior ? posterior->nonfinite_likelihoods() - nonfinite_before : 0;
      summary << "\nsampler '" << node.name << "' (" << node.plugin_name() << "): " << samples.chains.size()
              << " chains, " << draws << " draws, acceptance " << fmt(acceptance, "%.3f") << ", " << fmt(seconds, "%.2f") << " s\n";
      summary << "  proposals with zero density (outside the prior, or a non-finite likelihood), warm-up included: " << rejected << "\n";
      if (posterior)
        summary << "  likelihood evaluations that returned NaN or an infinity (counted as rejections): " << likelihood_rejections << "\n";
      for (const auto& [k, v] : samples.statistics) summary << "  " << k << ": " << fmt(v) << "\n";
      summary << summary_table(rows, space);
      json params = json::array();
      for (const auto& r : rows)
        params.push_back({{"name", r.name}, {"mean", r.mean}, {"sd", r.sd}, {"q16", r.q16}, {"q50", r.q50},
                          {"q84", r.q84}, {"rhat", number_or_null(r.rhat)}, {"ess_bulk", number_or_null(r.ess_bulk)},
                          {"ess_tail", number_or_null(r.ess_tail)}, {"mcse_mean", number_or_null(r.mcse_mean)},
                          {"iat", number_or_null(r.iat)}});
      json stats = json::object();
      for (const auto& [k, v] : samples.statistics) stats[k] = number_or_null(v);
      summary_json["samplers"][node.name] = {
          {"plugin", node.plugin_name()}, {"chains", samples.chains.size()}, {"draws", draws},
          {"evaluations", evaluations}, {"acceptance", number_or_null(acceptance)},
          {"nonfinite_rejections", rejected}, {"likelihood_nonfinite", likelihood_rejections},
          {"chain_file", root + ".txt"}, {"parameters", params}, {"statistics", stats}, {"seconds", seconds}};
      analysis.record_samples(i, std::move(samples));
    } else {
      Report report;
      try {
        report = static_cast<Task&>(analysis.instance(i)).run(analysis.context(i));
      } catch (...) {
        analysis.rethrow_with_component(i, "while running");
      }
      const double seconds = seconds_since(start);
      timings["run_s"][node.name] = seconds;
      summary << "\ntask '" << node.name << "' (" << node.plugin_name() << "), " << fmt(seconds, "%.2f") << " s\n";
      json entries = json::object();
      for (const auto& [k, v] : report.entries) {
        summary << "  " << pad(k + ":", 28) << v << "\n";
        entries[k] = v;
      }
      for (const auto& f : report.files) files.push_back(f);
      summary_json["tasks"][node.name] = {{"plugin", node.plugin_name()}, {"report", entries}, {"files", report.files},
                                          {"seconds", seconds}};
    }
  }

  // Record exactly what ran.
  json plugins = json::array();
  for (const auto& [name, lib] : analysis.catalog().libraries())
    plugins.push_back({{"library", name}, {"version", lib->manifest->version}, {"sdk", lib->manifest->sdk_version},
                       {"abi", lib->manifest->abi_version}, {"file", lib->file.string()}});
  json components = json::array();
  for (std::size_t i : analysis.graph().order) {
    const Node& n = analysis.graph().nodes[i];
    components.push_back({{"name", n.name}, {"plugin", n.plugin_name()}, {"kind", std::string(kind_name(n.kind))},
                          {"stream_seed", analysis.stream_seed(i)}, {"cache_key", analysis.cache_key(i)}});
  }
  timings["total_s"] = seconds_since(run_start);
  const std::string commit = config_git_commit(cfg.file);
  json manifest = {{"orrery_version", ORRERY_VERSION},
                   {"orrery_git_commit", ORRERY_GIT_COMMIT},
                   {"sdk_abi", kAbiVersion},
                   {"config_file", fs::absolute(cfg.file).string()},
                   {"config_git_commit", commit.empty() ? json(nullptr) : json(commit)},
                   {"command_line", request.command_line},
                   {"analysis", cfg.name},
                   {"seed", cfg.seed},
                   {"threads", analysis.executor().concurrency()},
                   {"no_cache", request.settings.no_cache},
                   {"started_utc", started},
                   {"finished_utc", utc_now()},
                   {"plugins", plugins},
                   {"components", components},
                   {"timings", timings},
                   {"files", files}};

  const fs::path dir = outputs.staging();
  if (const Array* observed = analysis.simulated_observation()) {
    // A simulated observation is part of the result: keep it beside the chains.
    std::string text = "# observation simulated by [observation] (shape";
    for (std::size_t d : observed->shape) text += " " + std::to_string(d);
    text += "), one value per line in C order\n";
    char line[32];
    for (Eigen::Index k = 0; k < observed->values.size(); ++k) {
      std::snprintf(line, sizeof line, "%.17g\n", observed->values[k]);
      text += line;
    }
    write_file_atomically(dir / "observation.txt", text);
    files.push_back("observation.txt");
    manifest["files"] = files;
  }
  write_file_atomically(dir / "config.toml", "# Resolved configuration of this run (overrides applied, defaults filled in)\n" +
                                                 to_toml(resolved_config(analysis)));
  write_file_atomically(dir / "manifest.json", manifest.dump(2) + "\n");
  write_file_atomically(dir / "summary.json", summary_json.dump(2) + "\n");
  write_file_atomically(dir / "summary.txt", summary.str());
  log->info("wrote {} in {:.2f} s", (cfg.output / cfg.name).string(), seconds_since(run_start));
  outputs.publish();
  analysis.set_checkpoints(nullptr);
  checkpoints.remove();
  std::fputs(summary.str().c_str(), stdout);
  return cfg.output / cfg.name;
}

}  // namespace orrery::kernel
