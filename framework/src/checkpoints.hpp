// Checkpoints of one run: the folder <output>/.<analysis>.checkpoint/ holding
// the resolved configuration the run started from and one state file per
// component that saves any (see sdk/include/orrery/checkpoint.hpp).
//
// A fresh run creates the folder at its first save, and refuses to start over
// an existing one (an interrupted run's work is never silently discarded)
// unless forced; a resumed run (`--resume`) requires one and refuses if the
// configuration changed. The folder is removed once the run's outputs are
// published; a run that fails after saving keeps it.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <orrery/checkpoint.hpp>

namespace orrery::kernel {

class RunCheckpoints {
 public:
  /// Opens (resume) or creates (fresh run) `folder` for a run of `config`
  /// (the resolved configuration text). Saves are paced `interval_seconds`
  /// apart (0: whenever a component offers one). Throws Error on a fresh run
  /// over an existing folder without `force`, on a resume without a folder or
  /// with a different configuration.
  RunCheckpoints(std::filesystem::path folder, const std::string& config, double interval_seconds, bool resume,
                 bool force);
  ~RunCheckpoints();
  RunCheckpoints(const RunCheckpoints&) = delete;
  RunCheckpoints& operator=(const RunCheckpoints&) = delete;

  [[nodiscard]] bool resuming() const { return resuming_; }
  [[nodiscard]] const std::filesystem::path& folder() const { return folder_; }
  /// The store of component `name` (created on first use).
  CheckpointStore& store(const std::string& name);
  /// Deletes the folder (after the run's outputs are safely published).
  void remove();
  /// Whether this run has saved a checkpoint (or resumed from one): then a
  /// failed run leaves the folder for --resume.
  [[nodiscard]] bool holds_work() const { return resuming_ || saves_ > 0; }

 private:
  class ComponentStore;
  friend class ComponentStore;
  void saved();  ///< after every save: pacing, and the test-only crash hook
  void create_folder();  ///< on the first save of a fresh run

  std::string config_;
  bool created_ = false;

  std::filesystem::path folder_;
  double interval_seconds_;
  bool resuming_;
  std::chrono::steady_clock::time_point last_save_;
  std::uint64_t saves_ = 0;
  std::uint64_t crash_after_ = 0;  ///< ORRERY_TEST_CRASH_AFTER_CHECKPOINTS; 0: never
  std::map<std::string, std::unique_ptr<ComponentStore>> stores_;
};

}  // namespace orrery::kernel
