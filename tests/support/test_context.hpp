// TestContext: a concrete orrery::Context for unit tests, so components can be
// constructed and run without the kernel.
//
//   orrery::test::TestContext ctx({{"min", 0.0}, {"max", 2.0}});
//   ctx.apply_schema(UniformPrior::options());   // defaults, as the kernel would
//   UniformPrior prior(ctx);
//
// Options are built in code from a ValueTable (helpers below build lists and
// matrices); references are registered by option key; the executor is serial
// or runs items on N std::threads; progress is counted; logging is collected;
// the artifact cache throws.
#pragma once

#include "services.hpp"  // kernel::ThreadExecutor

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <orrery/checkpoint.hpp>
#include <orrery/context.hpp>
#include <orrery/schema.hpp>
#include <orrery/value.hpp>

namespace orrery::test {

/// [1.0, 2.0] as a Value.
Value real_list(std::initializer_list<double> values);
/// [[1, 0], [0, 1]] as a Value.
Value real_matrix(std::initializer_list<std::initializer_list<double>> rows);
/// ["a", "b"] as a Value.
Value string_list(std::initializer_list<std::string> values);

/// A ParameterSpace of free, unbounded scalar parameters with these names.
ParameterSpace scalar_space(std::initializer_list<std::string> names);

/// Collects log messages (thread-safe) instead of printing them.
class CollectingLogger final : public Logger {
 public:
  void log(LogLevel level, std::string_view message) override;
  [[nodiscard]] std::vector<std::pair<LogLevel, std::string>> messages() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<LogLevel, std::string>> messages_;
};

/// Adds advanced units to a shared atomic counter.
class CountingProgress final : public Progress {
 public:
  explicit CountingProgress(std::atomic<std::uint64_t>& done) : done_(done) {}
  void advance(std::uint64_t n) override { done_.fetch_add(n, std::memory_order_relaxed); }
  void status(std::string_view /*text*/) override {}

 private:
  std::atomic<std::uint64_t>& done_;
};

/// An artifact cache for tests that must not touch one: every call throws.
class ThrowingCache final : public ArtifactCache {
 public:
  std::optional<std::filesystem::path> find(std::string_view name) override;
  std::filesystem::path create(std::string_view name) override;
  std::filesystem::path commit(std::string_view name) override;
  [[nodiscard]] std::string key() const override { return "test"; }
};

class TestContext final : public Context {
 public:
  explicit TestContext(ValueTable options = {}, ParameterSpace parameters = {}, std::uint64_t seed = 20240601,
                       std::string name = "test");
  TestContext(const TestContext&) = delete;
  TestContext& operator=(const TestContext&) = delete;

  /// Validates the options against `schema` and fills defaults, with the
  /// kernel's own checker (kernel::check_options).
  void apply_schema(const Schema& schema);
  /// Makes `component` the target of reference option `key` (appends for lists).
  void add_reference(const std::string& key, Component& component);
  /// 1: serial executor (the default); more: a ThreadExecutor with that many threads.
  void set_threads(std::size_t threads);
  /// Makes extension("orrery.checkpoint/1") return `store` (nullptr: none, the default).
  void set_checkpoint_store(CheckpointStore* store) { checkpoints_ = store; }
  void* extension(std::string_view name) override {
    return name == kCheckpointExtension ? static_cast<void*>(checkpoints_) : nullptr;
  }
  /// Units reported through every Progress this context handed out.
  [[nodiscard]] std::uint64_t progress_done() const { return progress_done_.load(); }
  /// Labels and totals of the Progress objects handed out, in order.
  [[nodiscard]] const std::vector<std::pair<std::string, std::uint64_t>>& progress_requests() const {
    return progress_requests_;
  }
  [[nodiscard]] const CollectingLogger& log() const { return logger_; }

  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] const std::string& plugin() const override { return plugin_; }
  [[nodiscard]] const Options& options() const override { return options_; }
  [[nodiscard]] const ParameterSpace& parameters() const override { return parameters_; }
  Component& reference(std::string_view key, std::size_t index = 0) override;
  [[nodiscard]] std::size_t reference_count(std::string_view key) const override;
  RandomStream& rng() override { return rng_; }
  Logger& logger() override { return logger_; }
  std::unique_ptr<Progress> progress(std::string_view label, std::uint64_t total) override;
  Executor& executor() override { return *executor_; }
  ArtifactCache& cache() override { return cache_; }
  [[nodiscard]] std::filesystem::path output_dir() const override;
  [[nodiscard]] const Array* observation() const override { return nullptr; }

 private:
  std::string name_;
  std::string plugin_ = "test.component";
  Value table_;      // must precede options_, which views it
  Options options_;
  ParameterSpace parameters_;
  RandomStream rng_;
  CollectingLogger logger_;
  std::atomic<std::uint64_t> progress_done_{0};
  std::vector<std::pair<std::string, std::uint64_t>> progress_requests_;
  kernel::ThreadExecutor serial_{1};
  std::unique_ptr<kernel::ThreadExecutor> threaded_;
  Executor* executor_ = &serial_;
  ThrowingCache cache_;
  CheckpointStore* checkpoints_ = nullptr;
  std::filesystem::path output_dir_;
  std::map<std::string, std::vector<Component*>, std::less<>> references_;
};

/// A component built from options through a TestContext, which is kept
/// alive alongside it (the SDK promises components their context outlives them).
template <typename T>
struct Built {
  std::unique_ptr<TestContext> context;
  std::unique_ptr<T> component;
  T& operator*() const { return *component; }
  T* operator->() const { return component.get(); }
};

/// Validates `options` against T::options(), fills defaults and constructs a T.
template <typename T>
Built<T> build(ValueTable options, ParameterSpace parameters = {}, std::uint64_t seed = 20240601) {
  Built<T> built;
  built.context = std::make_unique<TestContext>(std::move(options), std::move(parameters), seed);
  built.context->apply_schema(T::options());
  built.component = std::make_unique<T>(*built.context);
  return built;
}

/// The message of the ConfigError `f` throws, or "" if it throws none
/// (other exceptions propagate).
template <typename F>
std::string config_error_message(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return {};
}

}  // namespace orrery::test
