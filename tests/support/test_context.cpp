#include "support/test_context.hpp"

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

namespace {

[[noreturn]] void fail(const Value& where, const std::string& owner, const std::string& key, const std::string& what) {
  throw ConfigError(where.where(), "component '" + owner + "', option '" + key + "': " + what);
}

bool is_number_list(const Value& v) {
  if (!v.is_list()) return false;
  return std::all_of(v.as_list().begin(), v.as_list().end(), [](const Value& e) { return e.is_number(); });
}

bool has_type(const Value& v, OptionType type) {
  switch (type) {
    case OptionType::Boolean: return v.is_bool();
    case OptionType::Integer: return v.is_integer();
    case OptionType::Real: return v.is_number();
    case OptionType::String: return v.is_string();
    case OptionType::RealList: return is_number_list(v);
    case OptionType::RealMatrix:
      return v.is_list() && std::all_of(v.as_list().begin(), v.as_list().end(), is_number_list);
    case OptionType::StringList:
      return v.is_list() &&
             std::all_of(v.as_list().begin(), v.as_list().end(), [](const Value& e) { return e.is_string(); });
    case OptionType::Table: return v.is_table();
    case OptionType::Reference: return v.is_reference() || v.is_table();
    case OptionType::ReferenceList:
      return v.is_list() && std::all_of(v.as_list().begin(), v.as_list().end(),
                                        [](const Value& e) { return e.is_reference() || e.is_table(); });
    case OptionType::File: return v.is_string();
    case OptionType::Any: return true;
  }
  return false;
}

void check_range(const OptionSpec& spec, const Value& v, const std::string& owner) {
  auto check = [&](const Value& number) {
    const double x = number.as_real();
    if (spec.minimum && x < *spec.minimum)
      fail(number, owner, spec.key, "must be at least " + std::to_string(*spec.minimum));
    if (spec.maximum && x > *spec.maximum)
      fail(number, owner, spec.key, "must be at most " + std::to_string(*spec.maximum));
  };
  if (spec.type == OptionType::Integer || spec.type == OptionType::Real) check(v);
  if (spec.type == OptionType::RealList)
    for (const Value& e : v.as_list()) check(e);
  if (!spec.choices.empty() && v.is_string() &&
      std::find(spec.choices.begin(), spec.choices.end(), v.as_string()) == spec.choices.end())
    fail(v, owner, spec.key, "'" + v.as_string() + "' is not one of the allowed values");
}

}  // namespace

void apply_schema(const Schema& schema, Value& options, const std::string& owner) {
  ValueTable& table = options.as_table();
  for (const auto& [key, value] : table) {
    const auto spec = std::find_if(schema.begin(), schema.end(), [&](const OptionSpec& s) { return s.key == key; });
    if (spec == schema.end()) fail(value, owner, key, "unknown option");
    if (!has_type(value, spec->type))
      fail(value, owner, key, std::string("expected ") + option_type_name(spec->type) + ", found " +
                                  Value::type_name(value.type()));
    check_range(*spec, value, owner);
  }
  for (const OptionSpec& spec : schema) {
    if (options.find(spec.key)) continue;
    if (spec.required) throw ConfigError({}, "component '" + owner + "': missing required option '" + spec.key + "'");
    if (spec.default_value) table.emplace_back(spec.key, *spec.default_value);
  }
}

void SerialExecutor::parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) {
  for (std::size_t i = 0; i < n; ++i) body(i);
}

void ThreadExecutor::parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto worker = [&] {
    while (!failed.load()) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        body(i);
      } catch (...) {
        const std::lock_guard lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        failed.store(true);
      }
    }
  };
  std::vector<std::thread> pool;
  const std::size_t count = std::min(threads_, n);
  pool.reserve(count);
  for (std::size_t t = 0; t < count; ++t) pool.emplace_back(worker);
  for (std::thread& thread : pool) thread.join();
  if (first_error) std::rethrow_exception(first_error);
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

void TestContext::apply_schema(const Schema& schema) { test::apply_schema(schema, table_, name_); }

void TestContext::add_reference(const std::string& key, Component& component) {
  references_[key].push_back(&component);
}

void TestContext::set_threads(std::size_t threads) {
  if (threads <= 1) {
    threaded_.reset();
    executor_ = &serial_;
  } else {
    threaded_ = std::make_unique<ThreadExecutor>(threads);
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
