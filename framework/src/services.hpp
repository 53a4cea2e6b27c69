// The kernel's implementations of the SDK services: logging through spdlog,
// terminal-aware progress reporting, a thread-pool executor and the
// directory-based artifact cache.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include <orrery/services.hpp>

namespace spdlog {
class logger;
}

namespace orrery::kernel {

enum class Verbosity { Quiet, Normal, Verbose };

/// Process-wide console logging setup; call once from the CLI.
void configure_console_logging(Verbosity verbosity);
/// Adds (or with an empty path removes) the run's log file sink.
void set_log_file(const std::filesystem::path& file);
std::shared_ptr<spdlog::logger> kernel_logger();

/// A Logger that prefixes messages with a component name.
class ComponentLogger final : public Logger {
 public:
  explicit ComponentLogger(std::string component) : component_(std::move(component)) {}
  void log(LogLevel level, std::string_view message) override;

 private:
  std::string component_;
};

/// Progress bars on a terminal, periodic log lines otherwise, nothing with -q.
std::unique_ptr<Progress> make_progress(std::string label, std::uint64_t total);

/// Runs parallel_for items on up to `threads` std::threads.
class ThreadExecutor final : public Executor {
 public:
  explicit ThreadExecutor(std::size_t threads);
  void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) override;
  [[nodiscard]] std::size_t concurrency() const override { return threads_; }

 private:
  std::size_t threads_;
};

/// Artifacts of one component under <root>/<key>/<name>/.
class DirectoryCache final : public ArtifactCache {
 public:
  DirectoryCache(std::filesystem::path root, std::string key, bool ignore_existing);
  std::optional<std::filesystem::path> find(std::string_view name) override;
  std::filesystem::path create(std::string_view name) override;
  std::filesystem::path commit(std::string_view name) override;
  [[nodiscard]] std::string key() const override { return key_; }

 private:
  [[nodiscard]] std::filesystem::path final_path(std::string_view name) const;
  [[nodiscard]] std::filesystem::path staging_path(std::string_view name) const;
  std::filesystem::path root_;
  std::string key_;
  bool ignore_existing_;
  std::mutex mutex_;
};

}  // namespace orrery::kernel
