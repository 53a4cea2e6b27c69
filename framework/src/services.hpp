// The kernel's implementations of the SDK services: logging through spdlog,
// terminal-aware progress reporting, a thread-pool executor and the
// directory-based artifact cache.
#pragma once

#include <filesystem>
#include <memory>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>
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

/// Runs parallel_for items on a persistent pool of `threads` − 1 worker
/// threads plus the calling thread, so a call costs a wake-up, not thread
/// creation. Items are taken from a shared counter. A parallel_for issued from
/// inside an item runs serially in that thread (no deadlock, same results).
class ThreadExecutor final : public Executor {
 public:
  explicit ThreadExecutor(std::size_t threads);
  ~ThreadExecutor() override;
  ThreadExecutor(const ThreadExecutor&) = delete;
  ThreadExecutor& operator=(const ThreadExecutor&) = delete;
  void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) override;
  [[nodiscard]] std::size_t concurrency() const override { return threads_; }

 private:
  void work_loop();
  void run_items();

  std::size_t threads_;
  std::vector<std::thread> workers_;
  std::mutex call_mutex_;  // one parallel_for at a time
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(std::size_t)>* body_ = nullptr;
  std::size_t n_ = 0;
  std::atomic<std::size_t> next_{0};
  std::atomic<bool> failed_{false};
  std::exception_ptr error_;
  std::size_t busy_ = 0;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
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
