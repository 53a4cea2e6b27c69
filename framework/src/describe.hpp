// Text for `orrery plugins` and `orrery describe`.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace orrery::kernel {

/// Every library and component found on the search path (extra folders first).
std::string describe_catalog(const std::vector<std::filesystem::path>& extra_folders);

/// One component's kind, description and option schema as documentation.
/// Throws ConfigError with suggestions for an unknown name.
std::string describe_component(const std::string& qualified, const std::vector<std::filesystem::path>& extra_folders);

}  // namespace orrery::kernel
