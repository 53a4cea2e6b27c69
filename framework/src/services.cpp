#include "services.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <thread>
#include <unistd.h>
#include <vector>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace orrery::kernel {
namespace fs = std::filesystem;

namespace {
struct LoggingState {
  std::shared_ptr<spdlog::sinks::dist_sink_mt> file_sinks = std::make_shared<spdlog::sinks::dist_sink_mt>();
  std::shared_ptr<spdlog::logger> logger;
  Verbosity verbosity = Verbosity::Normal;
  std::mutex terminal_mutex;  // progress bars and log lines share the terminal
};

LoggingState& state() {
  static LoggingState s;
  return s;
}

spdlog::level::level_enum console_level(Verbosity v) {
  switch (v) {
    case Verbosity::Quiet: return spdlog::level::warn;
    case Verbosity::Normal: return spdlog::level::info;
    case Verbosity::Verbose: return spdlog::level::debug;
  }
  return spdlog::level::info;
}
}  // namespace

void configure_console_logging(Verbosity verbosity) {
  LoggingState& s = state();
  s.verbosity = verbosity;
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  console->set_level(console_level(verbosity));
  console->set_pattern(verbosity == Verbosity::Verbose ? "[%H:%M:%S.%e] %^%l%$: %v" : "%^%l%$: %v");
  s.file_sinks->set_pattern("[%Y-%m-%d %H:%M:%S.%e] %l: %v");
  s.file_sinks->set_level(spdlog::level::debug);
  s.logger = std::make_shared<spdlog::logger>("orrery", spdlog::sinks_init_list{console, s.file_sinks});
  s.logger->set_level(spdlog::level::debug);
  s.logger->flush_on(spdlog::level::warn);
}

std::shared_ptr<spdlog::logger> kernel_logger() {
  LoggingState& s = state();
  if (!s.logger) configure_console_logging(Verbosity::Normal);
  return s.logger;
}

void set_log_file(const fs::path& file) {
  LoggingState& s = state();
  s.file_sinks->set_sinks({});
  if (file.empty()) return;
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string(), true);
  sink->set_pattern("[%Y-%m-%d %H:%M:%S.%e] %l: %v");
  s.file_sinks->add_sink(std::move(sink));
}

void ComponentLogger::log(LogLevel level, std::string_view message) {
  auto logger = kernel_logger();
  const std::string text = "[" + component_ + "] " + std::string(message);
  switch (level) {
    case LogLevel::Debug: logger->debug(text); break;
    case LogLevel::Info: logger->info(text); break;
    case LogLevel::Warning: logger->warn(text); break;
    case LogLevel::Error: logger->error(text); break;
  }
}

namespace {

std::string format_duration(double seconds) {
  char buf[32];
  if (seconds < 60) std::snprintf(buf, sizeof buf, "%.1fs", seconds);
  else if (seconds < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(seconds) / 60, static_cast<int>(seconds) % 60);
  else std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(seconds) / 3600, (static_cast<int>(seconds) / 60) % 60);
  return buf;
}

/// Shared by both presentations: counts, rate and ETA.
class ProgressReporter final : public Progress {
 public:
  ProgressReporter(std::string label, std::uint64_t total, bool terminal)
      : label_(std::move(label)), total_(total), terminal_(terminal), start_(Clock::now()), last_(start_) {}

  ~ProgressReporter() override {
    const double elapsed = seconds_since(start_);
    std::lock_guard lock(state().terminal_mutex);
    if (terminal_) std::fprintf(stderr, "\r\033[K");
    kernel_logger()->info("{}: {} done in {} ({:.0f}/s)", label_, done_.load(), format_duration(elapsed),
                          elapsed > 0 ? static_cast<double>(done_.load()) / elapsed : 0.0);
  }

  void advance(std::uint64_t n) override {
    const std::uint64_t done = done_.fetch_add(n) + n;
    const auto now = Clock::now();
    const double interval = terminal_ ? 0.1 : 10.0;
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock() || std::chrono::duration<double>(now - last_).count() < interval) return;
    last_ = now;
    render(done);
  }

  void status(std::string_view text) override {
    std::lock_guard lock(mutex_);
    status_ = text;
  }

 private:
  using Clock = std::chrono::steady_clock;
  static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

  void render(std::uint64_t done) {
    const double elapsed = seconds_since(start_);
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
    const double fraction = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 0.0;
    const std::string eta = rate > 0 && total_ > done ? format_duration(static_cast<double>(total_ - done) / rate) : "-";
    std::lock_guard lock(state().terminal_mutex);
    if (terminal_) {
      constexpr int width = 30;
      const int filled = static_cast<int>(fraction * width);
      std::string bar(static_cast<std::size_t>(filled), '=');
      bar.resize(width, ' ');
      std::fprintf(stderr, "\r\033[K%s [%s] %3.0f%% %.0f/s ETA %s %s", label_.c_str(), bar.c_str(), 100 * fraction,
                   rate, eta.c_str(), status_.c_str());
      std::fflush(stderr);
    } else {
      kernel_logger()->info("{}: {:.0f}% ({}/{}), {:.0f}/s, ETA {}{}{}", label_, 100 * fraction, done, total_, rate, eta,
                            status_.empty() ? "" : ", ", status_);
    }
  }

  std::string label_;
  std::uint64_t total_;
  bool terminal_;
  Clock::time_point start_, last_;
  std::atomic<std::uint64_t> done_{0};
  std::mutex mutex_;
  std::string status_;
};

/// With -q: counts nothing, prints nothing.
class SilentProgress final : public Progress {
 public:
  void advance(std::uint64_t) override {}
  void status(std::string_view) override {}
};

}  // namespace

std::unique_ptr<Progress> make_progress(std::string label, std::uint64_t total) {
  if (state().verbosity == Verbosity::Quiet) return std::make_unique<SilentProgress>();
  return std::make_unique<ProgressReporter>(std::move(label), total, ::isatty(STDERR_FILENO) != 0);
}

namespace {
thread_local bool inside_parallel_item = false;
}

ThreadExecutor::ThreadExecutor(std::size_t threads) : threads_(std::max<std::size_t>(1, threads)) {
  for (std::size_t t = 1; t < threads_; ++t) workers_.emplace_back([this] { work_loop(); });
}

ThreadExecutor::~ThreadExecutor() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadExecutor::run_items() {
  inside_parallel_item = true;
  for (std::size_t i; !failed_.load() && (i = next_.fetch_add(1)) < n_;) {
    try {
      (*body_)(i);
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
      failed_ = true;
    }
  }
  inside_parallel_item = false;
}

void ThreadExecutor::work_loop() {
  std::uint64_t seen = 0;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    run_items();
    std::lock_guard lock(mutex_);
    if (--busy_ == 0) done_.notify_one();
  }
}

void ThreadExecutor::parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) {
  if (n == 0) return;
  if (workers_.empty() || n == 1 || inside_parallel_item) {
    for (std::size_t i = 0; i < n; ++i) body(i);
    return;
  }
  std::lock_guard call(call_mutex_);
  {
    std::lock_guard lock(mutex_);
    body_ = &body;
    n_ = n;
    next_ = 0;
    failed_ = false;
    error_ = nullptr;
    busy_ = workers_.size();
    ++generation_;
  }
  wake_.notify_all();
  run_items();
  std::exception_ptr error;
  {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return busy_ == 0; });
    body_ = nullptr;
    error = error_;
  }
  if (error) std::rethrow_exception(error);
}

DirectoryCache::DirectoryCache(fs::path root, std::string key, bool ignore_existing)
    : root_(std::move(root)), key_(std::move(key)), ignore_existing_(ignore_existing) {}

fs::path DirectoryCache::final_path(std::string_view name) const { return root_ / key_ / std::string(name); }

fs::path DirectoryCache::staging_path(std::string_view name) const {
  return root_ / key_ / ("." + std::string(name) + ".staging-" + std::to_string(::getpid()));
}

std::optional<fs::path> DirectoryCache::find(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (ignore_existing_) return std::nullopt;
  const fs::path p = final_path(name);
  std::error_code ec;
  if (fs::is_directory(p, ec)) return p;
  return std::nullopt;
}

fs::path DirectoryCache::create(std::string_view name) {
  std::lock_guard lock(mutex_);
  const fs::path staging = staging_path(name);
  fs::remove_all(staging);
  fs::create_directories(staging);
  return staging;
}

fs::path DirectoryCache::commit(std::string_view name) {
  std::lock_guard lock(mutex_);
  const fs::path staging = staging_path(name);
  const fs::path target = final_path(name);
  std::error_code ec;
  if (fs::exists(target, ec)) {
    // Same key means same inputs: the existing artifact is equivalent. Keep it
    // unless the user asked to ignore the cache, in which case the fresh one wins.
    if (!ignore_existing_) {
      fs::remove_all(staging);
      return target;
    }
    const fs::path old = target.string() + ".replaced-" + std::to_string(::getpid());
    fs::rename(target, old);
    fs::rename(staging, target);
    fs::remove_all(old);
    return target;
  }
  fs::rename(staging, target);
  return target;
}

}  // namespace orrery::kernel
