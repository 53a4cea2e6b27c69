// Runs the real `orrery` binary in a scratch folder and captures what it did.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace orrery::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// A temporary working folder, removed when the object dies.
class Workspace {
 public:
  Workspace() {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("orrery-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~Workspace() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return dir_; }
  [[nodiscard]] std::filesystem::path operator/(const std::string& rel) const { return dir_ / rel; }

  void write(const std::string& rel, const std::string& content) const {
    std::filesystem::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << content;
  }
  [[nodiscard]] std::string read(const std::string& rel) const {
    std::ifstream in(dir_ / rel);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  [[nodiscard]] bool exists(const std::string& rel) const { return std::filesystem::exists(dir_ / rel); }
  [[nodiscard]] nlohmann::json json(const std::string& rel) const { return nlohmann::json::parse(read(rel)); }

  /// Entries of `rel` (names only), for checking that nothing partial was left.
  [[nodiscard]] std::vector<std::string> list(const std::string& rel) const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_ / rel, ec)) out.push_back(e.path().filename().string());
    return out;
  }

  /// Runs `orrery <args>` here. `plugin_path` sets ORRERY_PLUGIN_PATH.
  CliResult orrery(const std::string& args, const std::string& plugin_path = "") const {
    const auto out = dir_ / ".stdout", err = dir_ / ".stderr";
    std::string cmd = "cd '" + dir_.string() + "' && env -u ORRERY_PLUGIN_PATH ";
    if (!plugin_path.empty()) cmd += "ORRERY_PLUGIN_PATH='" + plugin_path + "' ";
    cmd += "'" ORRERY_BIN_PATH "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "' </dev/null";
    const int status = std::system(cmd.c_str());
    CliResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read(".stdout");
    r.err = read(".stderr");
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    return r;
  }

 private:
  std::filesystem::path dir_;
};

inline const std::string kFixturePlugins = ORRERY_FIXTURE_PLUGINS;
inline const std::string kBadAbiPlugins = ORRERY_BADABI_PLUGINS;
inline const std::filesystem::path kSourceDir = ORRERY_SOURCE_DIR;

}  // namespace orrery::test
