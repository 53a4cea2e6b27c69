// The `orrery` command line: run, validate, plugins, describe, graph.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "analysis.hpp"
#include "describe.hpp"
#include "run_engine.hpp"
#include "services.hpp"

namespace {
using namespace orrery::kernel;
namespace fs = std::filesystem;

struct Common {
  bool quiet = false;
  bool verbose = false;
  std::vector<std::string> overrides;
  std::size_t threads = 0;
  bool no_cache = false;
};

std::string joined_command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
  return s;
}

int report_error(const std::exception& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Orrery: Bayesian inference for cosmology from plugins wired by TOML analyses"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("orrery ") + ORRERY_VERSION + " (plugin ABI " + std::to_string(orrery::kAbiVersion) + ")");
  Common common;
  auto add_verbosity = [&](CLI::App* sub) {
    sub->add_flag("-q,--quiet", common.quiet, "Only warnings and errors on the terminal");
    sub->add_flag("-v,--verbose", common.verbose, "Debug messages too");
  };
  auto add_config_options = [&](CLI::App* sub) {
    sub->add_option("--set", common.overrides, "Override a config value, e.g. --set components.sampler.steps=2000")
        ->type_name("KEY=VALUE")
        ->allow_extra_args(false);
  };

  fs::path config;
  bool force = false;
  bool resume = false;
  double checkpoint_every = 60.0;
  std::vector<std::string> only;
  auto* run = app.add_subcommand("run", "Run an analysis and write runs/<name>/");
  run->add_option("config", config, "TOML analysis file")->required()->check(CLI::ExistingFile);
  add_config_options(run);
  run->add_flag("--force", force, "Replace an existing output folder of the same name (or discard an interrupted run's checkpoint)");
  run->add_flag("--resume", resume, "Continue an interrupted run from its checkpoint (refused if the config changed)");
  run->add_option("--checkpoint-every", checkpoint_every, "Seconds between checkpoints of long samplers (default 60; 0: as often as possible)")
      ->check(CLI::NonNegativeNumber);
  run->add_flag("--no-cache", common.no_cache, "Recompute cached artifacts (simulations, trained networks)");
  run->add_option("--only", only, "Run only these samplers/tasks")->delimiter(',');
  run->add_option("--threads", common.threads, "Worker threads (default: all cores)")->check(CLI::PositiveNumber);
  add_verbosity(run);

  auto* validate = app.add_subcommand("validate", "Check an analysis without running it: resolve, build, print the plan");
  validate->add_option("config", config, "TOML analysis file")->required()->check(CLI::ExistingFile);
  add_config_options(validate);
  add_verbosity(validate);

  std::vector<fs::path> extra_paths;
  auto* plugins = app.add_subcommand("plugins", "List every available component with its kind, version and description");
  plugins->add_option("--path", extra_paths, "Extra plugin folders to search first");
  add_verbosity(plugins);

  std::string component;
  auto* describe = app.add_subcommand("describe", "Document a component's options");
  describe->add_option("component", component, "library.component, e.g. samplers.metropolis")->required();
  describe->add_option("--path", extra_paths, "Extra plugin folders to search first");
  add_verbosity(describe);

  bool dot = false;
  auto* graph = app.add_subcommand("graph", "Show an analysis's component graph");
  graph->add_option("config", config, "TOML analysis file")->required()->check(CLI::ExistingFile);
  graph->add_flag("--dot", dot, "Emit Graphviz DOT");
  add_config_options(graph);
  add_verbosity(graph);

  CLI11_PARSE(app, argc, argv);
  configure_console_logging(common.quiet ? Verbosity::Quiet : common.verbose ? Verbosity::Verbose : Verbosity::Normal);
  const AnalysisSettings settings{common.overrides, common.threads, common.no_cache};

  try {
    if (*run) {
      RunRequest request{config, settings, force, resume, checkpoint_every, only, joined_command_line(argc, argv)};
      run_analysis(request);
    } else if (*validate) {
      Analysis analysis(config, settings);
      analysis.construct();
      const auto runnables = analysis.selected_runnables({});
      std::cout << "analysis '" << analysis.config().name << "' (seed " << analysis.config().seed << "): "
                << analysis.parameters().dimension() << " parameter value(s), " << analysis.graph().nodes.size()
                << " component(s)\nplan (dependency order):\n"
                << analysis.graph().plan(runnables) << "would write " << (analysis.config().output / analysis.config().name).string()
                << "/\nconfiguration is valid\n";
      if (runnables.empty()) std::cout << "note: nothing to run (no sampler or task)\n";
    } else if (*plugins) {
      std::cout << describe_catalog(extra_paths);
    } else if (*describe) {
      std::cout << describe_component(component, extra_paths);
    } else if (*graph) {
      Analysis analysis(config, settings);
      std::cout << (dot ? analysis.graph().to_dot(analysis.config().name)
                       : analysis.graph().plan(analysis.selected_runnables({})));
    }
  } catch (const std::exception& e) {
    return report_error(e);
  }
  return 0;
}
