// Task: any runnable step that is not a sampler: a Fisher forecast, a
// calibration check (SBC, coverage), a map reconstruction, a comparison.
//
// A task writes its own files into ctx.output_dir() (temporary name, then
// rename) and returns a Report whose entries the kernel prints in the run
// summary and records in the manifest.
#pragma once

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "orrery/component.hpp"

namespace orrery {

class Context;

struct Report {
  /// Ordered (label, value) lines for the human summary.
  std::vector<std::pair<std::string, std::string>> entries;
  /// Files written into the output folder, relative to it.
  std::vector<std::string> files;

  void add(std::string label, std::string value) { entries.emplace_back(std::move(label), std::move(value)); }
  void add(std::string label, double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", value);
    add(std::move(label), std::string(buf));
  }
};

class ORRERY_API Task : public Component {
 public:
  static constexpr Kind kKind = Kind::Task;
  [[nodiscard]] Kind kind() const final { return kKind; }

  virtual Report run(Context& ctx) = 0;
};

}  // namespace orrery
