#include "checkpoints.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <orrery/error.hpp>

#include "output_files.hpp"

namespace orrery::kernel {
namespace fs = std::filesystem;

namespace {
constexpr const char* kConfigFile = "config.toml";

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("cannot read checkpoint file '" + file.string() + "'");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// "line N: 'a' became 'b'" for the first line where two texts differ.
std::string first_difference(const std::string& before, const std::string& now) {
  std::istringstream a(before), b(now);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, la));
    const bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return "";
    if (!more_a) la = "(end)";
    if (!more_b) lb = "(end)";
    if (la != lb) return "line " + std::to_string(line) + " of the resolved config: '" + la + "' is now '" + lb + "'";
  }
}
}  // namespace

class RunCheckpoints::ComponentStore final : public CheckpointStore {
 public:
  ComponentStore(RunCheckpoints& run, fs::path file) : run_(run), file_(std::move(file)) {}

  [[nodiscard]] std::optional<std::string> saved_state() const override {
    if (!run_.resuming_ || !fs::exists(file_)) return std::nullopt;
    return read_file(file_);
  }
  [[nodiscard]] bool due() const override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - run_.last_save_).count() >=
           run_.interval_seconds_;
  }
  void save(std::string_view bytes) override {
    run_.create_folder();
    write_file_atomically(file_, bytes);
    run_.saved();
  }

 private:
  RunCheckpoints& run_;
  fs::path file_;
};

RunCheckpoints::RunCheckpoints(fs::path folder, const std::string& config, double interval_seconds, bool resume,
                               bool force)
    : folder_(std::move(folder)), interval_seconds_(interval_seconds), resuming_(resume),
      last_save_(std::chrono::steady_clock::now()) {
  if (const char* crash = std::getenv("ORRERY_TEST_CRASH_AFTER_CHECKPOINTS")) crash_after_ = std::strtoull(crash, nullptr, 10);
  std::error_code ec;
  const bool exists = fs::exists(folder_ / kConfigFile, ec);
  if (resume) {
    if (!exists)
      throw Error("nothing to resume: no checkpoint in '" + folder_.string() +
                  "' (run without --resume to start the analysis)");
    const std::string difference = first_difference(read_file(folder_ / kConfigFile), config);
    if (!difference.empty())
      throw Error("cannot resume: the configuration changed since the checkpoint in '" + folder_.string() + "' (" +
                  difference + "); restore it, or pass --force without --resume to start over");
    return;
  }
  if (exists) {
    if (!force)
      throw Error("an interrupted run left a checkpoint in '" + folder_.string() +
                  "'; pass --resume to continue it, or --force to discard it and start over");
    fs::remove_all(folder_, ec);
  }
  config_ = config;  // the folder is created by the first save
}

void RunCheckpoints::create_folder() {
  if (created_ || resuming_) return;
  std::error_code ec;
  fs::create_directories(folder_, ec);
  if (ec) throw Error("cannot create checkpoint folder '" + folder_.string() + "': " + ec.message());
  write_file_atomically(folder_ / kConfigFile, config_);
  created_ = true;
}

RunCheckpoints::~RunCheckpoints() = default;

CheckpointStore& RunCheckpoints::store(const std::string& name) {
  auto& slot = stores_[name];
  if (!slot) slot = std::make_unique<ComponentStore>(*this, folder_ / (name + ".state"));
  return *slot;
}

void RunCheckpoints::saved() {
  last_save_ = std::chrono::steady_clock::now();
  ++saves_;
  // Fault injection for the resume tests: die like a killed process, leaving
  // the checkpoint folder (and a staging folder) behind.
  if (crash_after_ != 0 && saves_ >= crash_after_) std::_Exit(75);
}

void RunCheckpoints::remove() {
  std::error_code ec;
  fs::remove_all(folder_, ec);
}

}  // namespace orrery::kernel
