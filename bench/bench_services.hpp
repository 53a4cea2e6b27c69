// The kernel services a benchmark's hand-built Context hands out: no log
// output, no progress bar, one thread, no artifact cache. Shared by the
// benchmarks that construct components directly (no kernel, no config).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <orrery/error.hpp>
#include <orrery/services.hpp>

namespace orrery::bench {

class SilentLogger final : public orrery::Logger {
 public:
  void log(orrery::LogLevel /*level*/, std::string_view /*message*/) override {}
};

class NoProgress final : public orrery::Progress {
 public:
  void advance(std::uint64_t /*n*/) override {}
  void status(std::string_view /*text*/) override {}
};

class SerialExecutor final : public orrery::Executor {
 public:
  void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) override {
    for (std::size_t i = 0; i < n; ++i) body(i);
  }
  [[nodiscard]] std::size_t concurrency() const override { return 1; }
};

class NoCache final : public orrery::ArtifactCache {
 public:
  std::optional<std::filesystem::path> find(std::string_view /*name*/) override { return std::nullopt; }
  std::filesystem::path create(std::string_view /*name*/) override { throw orrery::Error("no cache in the benchmark"); }
  std::filesystem::path commit(std::string_view /*name*/) override { throw orrery::Error("no cache in the benchmark"); }
  [[nodiscard]] std::string key() const override { return "bench"; }
};

}  // namespace orrery::bench
