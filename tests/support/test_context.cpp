#include "support/test_context.hpp"

#include "schema_check.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <thread>

#include <unistd.h>

namespace orrery::test {

Value real_list(std::initializer_list<double> values) {
  ValueList list;
  for (double v : values) list.emplace_back(v);
  return Value(std::move(list));
}

Value real_matrix(std::initializer_list<std::initializer_list<double>> rows) {
  ValueList list;
  for (const auto& row : rows) list.push_back(real_list(row));
  return Value(std::move(list));
}

Value string_list(std::initializer_list<std::string> values) {
  ValueList list;
  for (const std::string& v : values) list.emplace_back(v);
  return Value(std::move(list));
}

ParameterSpace scalar_space(std::initializer_list<std::string> names) {
  ParameterSpace space;
  for (const std::string& name : names) {
    ParameterBlock block;
    block.name = name;
    space.add(std::move(block));
  }
  return space;
}

void CollectingLogger::log(LogLevel level, std::string_view message) {
  const std::lock_guard lock(mutex_);
  messages_.emplace_back(level, std::string(message));
}

std::vector<std::pair<LogLevel, std::string>> CollectingLogger::messages() const {
  const std::lock_guard lock(mutex_);
  return messages_;
}

std::optional<std::filesystem::path> ThrowingCache::find(std::string_view name) {
  throw Error("unit test context: no artifact cache (find '" + std::string(name) + "')");
}
std::filesystem::path ThrowingCache::create(std::string_view name) {
  throw Error("unit test context: no artifact cache (create '" + std::string(name) + "')");
}
std::filesystem::path ThrowingCache::commit(std::string_view name) {
  throw Error("unit test context: no artifact cache (commit '" + std::string(name) + "')");
}

TestContext::TestContext(ValueTable options, ParameterSpace parameters, std::uint64_t seed, std::string name)
    : name_(std::move(name)),
      table_(std::move(options)),
      options_(table_, name_),
      parameters_(std::move(parameters)),
      rng_(RandomStream(seed).split(name_)),
      output_dir_(std::filesystem::temp_directory_path() /
                  ("orrery-test-" + std::to_string(::getpid()) + "-" + name_)) {}

void TestContext::apply_schema(const Schema& schema) {
  table_ = kernel::check_options(table_, schema, name_, "test", std::filesystem::current_path(), {});
}

void TestContext::add_reference(const std::string& key, Component& component) {
  references_[key].push_back(&component);
}

void TestContext::set_threads(std::size_t threads) {
  if (threads <= 1) {
    threaded_.reset();
    executor_ = &serial_;
  } else {
    threaded_ = std::make_unique<kernel::ThreadExecutor>(threads);
    executor_ = threaded_.get();
  }
}

Component& TestContext::reference(std::string_view key, std::size_t index) {
  const auto found = references_.find(key);
  if (found == references_.end() || index >= found->second.size())
    throw ConfigError(options_.location(key), "component '" + name_ + "', option '" + std::string(key) +
                                                  "': no reference registered in this test context");
  return *found->second[index];
}

std::size_t TestContext::reference_count(std::string_view key) const {
  const auto found = references_.find(key);
  return found == references_.end() ? 0 : found->second.size();
}

std::unique_ptr<Progress> TestContext::progress(std::string_view label, std::uint64_t total) {
  progress_requests_.emplace_back(std::string(label), total);
  return std::make_unique<CountingProgress>(progress_done_);
}

std::filesystem::path TestContext::output_dir() const {
  std::filesystem::create_directories(output_dir_);
  return output_dir_;
}

}  // namespace orrery::test
