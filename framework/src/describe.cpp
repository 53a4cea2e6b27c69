#include "describe.hpp"

#include <algorithm>
#include <sstream>

#include "plugin_catalog.hpp"
#include "toml_values.hpp"

namespace orrery::kernel {
namespace fs = std::filesystem;

namespace {
PluginCatalog load(const std::vector<fs::path>& extra) {
  std::vector<fs::path> folders = extra;
  for (auto& p : PluginCatalog::default_search_path()) folders.push_back(std::move(p));
  return PluginCatalog(folders);
}

std::string pad(const std::string& s, std::size_t width) { return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' '); }

std::string format_number(double x) {
  std::ostringstream os;
  os << x;
  return os.str();
}
}  // namespace

std::string describe_catalog(const std::vector<fs::path>& extra_folders) {
  const PluginCatalog catalog = load(extra_folders);
  std::ostringstream os;
  if (catalog.libraries().empty()) os << "no plugin libraries found (set ORRERY_PLUGIN_PATH)\n";
  std::size_t width = 0;  // align the columns on the longest name
  for (const auto& qualified : catalog.all_component_names()) width = std::max(width, qualified.size() + 2);
  for (const auto& [name, lib] : catalog.libraries()) {
    os << name << " " << lib->manifest->version << "  (" << lib->file.string() << ")\n";
    for (const auto& c : lib->manifest->components)
      os << "  " << pad(name + "." + c.name, width) << pad(std::string(kind_name(c.kind)), 19) << c.description << "\n";
  }
  for (const auto& b : catalog.broken()) os << "unusable: " << b.file.string() << " " << b.reason << "\n";
  return os.str();
}

std::string describe_component(const std::string& qualified, const std::vector<fs::path>& extra_folders) {
  const PluginCatalog catalog = load(extra_folders);
  const ComponentEntry entry = catalog.find(qualified, SourceLocation{"describe", 0, 0});
  const ComponentInfo& info = *entry.info;
  std::ostringstream os;
  os << entry.qualified_name() << "  (" << kind_name(info.kind) << ", " << entry.library->manifest->library << " "
     << entry.library->manifest->version << ")\n  " << info.description << "\n\noptions:\n";
  if (info.schema.empty()) os << "  (none)\n";
  for (const OptionSpec& s : info.schema) {
    os << "  " << s.key << "  (" << option_type_name(s.type);
    if (s.reference_kind) os << " to a " << kind_name(*s.reference_kind);
    os << ")";
    if (s.required) os << "  required";
    else if (s.default_value) os << "  default " << display_string(*s.default_value);
    if (s.minimum || s.maximum)
      os << "  range " << (s.minimum && !s.exclusive_minimum ? "[" : "(") << (s.minimum ? format_number(*s.minimum) : "-inf")
         << ", " << (s.maximum ? format_number(*s.maximum) : "inf") << (s.maximum && !s.exclusive_maximum ? "]" : ")");
    if (!s.choices.empty()) {
      os << "  one of:";
      for (const auto& c : s.choices) os << " \"" << c << "\"";
    }
    os << "\n";
    if (!s.documentation.empty()) os << "      " << s.documentation << "\n";
  }
  return os.str();
}

}  // namespace orrery::kernel
