// Options: a read-only view of one component's validated TOML table.
//
// By the time a component sees its Options, the kernel has checked them
// against the component's Schema and filled in defaults, so the typed getters
// below only fail for keys the schema did not declare. Errors raised through
// `error()` carry the file, line and key, which is how a plugin reports a
// value that is well-typed but wrong (e.g. a covariance that is not positive
// definite).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "orrery/error.hpp"
#include "orrery/value.hpp"

namespace orrery {

class Options {
 public:
  /// `table` must outlive the view; `owner` names the component for messages.
  Options(const Value& table, std::string owner) : table_(&table), owner_(std::move(owner)) {}

  [[nodiscard]] const std::string& owner() const { return owner_; }
  [[nodiscard]] const Value& raw() const { return *table_; }

  [[nodiscard]] bool has(std::string_view key) const { return table_->find(key) != nullptr; }
  /// The value under `key`; throws ConfigError if absent.
  [[nodiscard]] const Value& at(std::string_view key) const {
    if (const Value* v = table_->find(key)) return *v;
    throw ConfigError(table_->where(), "component '" + owner_ + "': missing option '" + std::string(key) + "'");
  }

  [[nodiscard]] bool boolean(std::string_view key) const { return at(key).as_bool(); }
  [[nodiscard]] std::int64_t integer(std::string_view key) const { return at(key).as_integer(); }
  [[nodiscard]] double real(std::string_view key) const { return at(key).as_real(); }
  [[nodiscard]] const std::string& string(std::string_view key) const { return at(key).as_string(); }

  [[nodiscard]] Eigen::VectorXd real_list(std::string_view key) const {
    const ValueList& list = at(key).as_list();
    Eigen::VectorXd out(static_cast<Eigen::Index>(list.size()));
    for (std::size_t i = 0; i < list.size(); ++i) out[static_cast<Eigen::Index>(i)] = list[i].as_real();
    return out;
  }

  [[nodiscard]] std::vector<std::string> string_list(std::string_view key) const {
    std::vector<std::string> out;
    for (const Value& v : at(key).as_list()) out.push_back(v.as_string());
    return out;
  }

  /// A list of equal-length rows as a matrix; throws on ragged rows.
  [[nodiscard]] Eigen::MatrixXd real_matrix(std::string_view key) const {
    const Value& v = at(key);
    const ValueList& rows = v.as_list();
    if (rows.empty()) return {};
    const std::size_t cols = rows.front().as_list().size();
    Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(cols));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const ValueList& row = rows[r].as_list();
      if (row.size() != cols)
        error(key, "matrix rows must have equal length: row 1 has " + std::to_string(cols) + " entries, row " +
                       std::to_string(r + 1) + " has " + std::to_string(row.size()));
      for (std::size_t c = 0; c < cols; ++c)
        out(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = row[c].as_real();
    }
    return out;
  }

  /// A nested table as another view (e.g. `network = { dense = [128] }`).
  [[nodiscard]] Options table(std::string_view key) const {
    const Value& v = at(key);
    (void)v.as_table();
    return Options(v, owner_ + "." + std::string(key));
  }

  [[nodiscard]] SourceLocation location(std::string_view key) const {
    const Value* v = table_->find(key);
    return v ? v->where() : table_->where();
  }

  /// Throws a ConfigError naming the file:line of `key`, this component and the key.
  [[noreturn]] void error(std::string_view key, const std::string& message) const {
    throw ConfigError(location(key), "component '" + owner_ + "', option '" + std::string(key) + "': " + message);
  }

 private:
  const Value* table_;
  std::string owner_;
};

}  // namespace orrery
