// Services the kernel lends to components through their Context: logging,
// progress reporting, parallel execution and the artifact cache.
//
// All four are implemented by the kernel; plugins only call them. Every method
// here is thread-safe unless stated otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "orrery/version.hpp"

namespace orrery {

enum class LogLevel { Debug, Info, Warning, Error };

/// Messages go to the terminal (respecting -q/-v) and to the run's log file.
class ORRERY_API Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;

  void debug(std::string_view m) { log(LogLevel::Debug, m); }
  void info(std::string_view m) { log(LogLevel::Info, m); }
  void warn(std::string_view m) { log(LogLevel::Warning, m); }
  void error(std::string_view m) { log(LogLevel::Error, m); }
};

/// A long step's progress: a bar with rate and ETA on a terminal, periodic log
/// lines otherwise. Closing (destroying) the object ends the bar.
class ORRERY_API Progress {
 public:
  virtual ~Progress() = default;
  /// Records `n` more units done. Thread-safe; cheap enough to call per item.
  virtual void advance(std::uint64_t n = 1) = 0;
  /// A short status shown next to the bar (e.g. "acceptance 0.31").
  virtual void status(std::string_view text) = 0;
};

/// Runs independent work items, possibly in parallel. Results must not depend
/// on how the items are scheduled: give each item its own RandomStream
/// (`rng.split(i)`) and its own output slot. The kernel's executor uses
/// threads now; a later one may spread items over MPI ranks.
class ORRERY_API Executor {
 public:
  virtual ~Executor() = default;
  /// Calls body(i) once for every i in [0, n) and returns when all are done.
  /// The first exception thrown by any item is rethrown here after the rest stop.
  virtual void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) = 0;
  /// How many items may run at once.
  [[nodiscard]] virtual std::size_t concurrency() const = 0;
};

/// Stores expensive products (simulation sets, trained networks) under a key
/// the kernel derives from everything upstream of the component in the graph:
/// its plugin and version, its options, its seed, and the keys of the
/// components it references. Re-running an unchanged analysis finds them;
/// changing any upstream option changes the key. `--no-cache` makes every
/// lookup miss (new products are still stored).
///
/// An artifact is a directory. `create` gives an empty staging directory to
/// fill; `commit` moves it into place atomically, so an interrupted run never
/// leaves a half-written artifact behind.
class ORRERY_API ArtifactCache {
 public:
  virtual ~ArtifactCache() = default;
  /// The committed directory of artifact `name` of this component, if any.
  virtual std::optional<std::filesystem::path> find(std::string_view name) = 0;
  /// A fresh, empty staging directory for artifact `name`.
  virtual std::filesystem::path create(std::string_view name) = 0;
  /// Atomically publishes the staging directory of `name`; returns its final path.
  virtual std::filesystem::path commit(std::string_view name) = 0;
  /// The hex key under which this component's artifacts are stored.
  [[nodiscard]] virtual std::string key() const = 0;

  /// find(name), or create + make(staging dir) + commit.
  std::filesystem::path get_or_create(std::string_view name,
                                      const std::function<void(const std::filesystem::path&)>& make) {
    if (auto found = find(name)) return *found;
    make(create(name));
    return commit(name);
  }
};

}  // namespace orrery
