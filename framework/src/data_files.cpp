#include "data_files.hpp"

#include <fstream>
#include <sstream>
#include <vector>

#include <orrery/error.hpp>
#include <orrery/npy.hpp>

namespace orrery::kernel {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail(const fs::path& file, const std::string& message, std::uint32_t line = 0) {
  throw ConfigError(SourceLocation{file.string(), line, line ? 1u : 0u}, message);
}

/// orrery/npy.hpp's reader, its errors turned into ConfigErrors at the file.
Array read_npy(const fs::path& file) {
  try {
    return orrery::read_npy(file);
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& e) {
    // The location names the file already.
    std::string message = e.what();
    const std::string prefix = "NumPy file '" + file.string() + "': ";
    if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
    fail(file, message);
  }
}

Array read_text(const fs::path& file) {
  std::ifstream in(file);
  std::vector<double> values;
  std::size_t rows = 0, cols = 0;
  std::string line;
  std::uint32_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    for (char& c : line)
      if (c == ',') c = ' ';
    std::istringstream ls(line);
    std::size_t count = 0;
    for (std::string tok; ls >> tok;) {
      try {
        std::size_t used = 0;
        values.push_back(std::stod(tok, &used));
        if (used != tok.size()) throw std::invalid_argument(tok);
      } catch (const std::exception&) {
        fail(file, "'" + tok + "' is not a number", line_no);
      }
      ++count;
    }
    if (count == 0) continue;
    if (rows == 0) cols = count;
    else if (count != cols)
      fail(file, "row has " + std::to_string(count) + " values, earlier rows have " + std::to_string(cols), line_no);
    ++rows;
  }
  if (values.empty()) fail(file, "no numbers found");
  Eigen::VectorXd v = Eigen::Map<Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
  Shape shape = (rows == 1 || cols == 1) ? Shape{values.size()} : Shape{rows, cols};
  return Array(shape, std::move(v));
}

}  // namespace

Array read_array(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) fail(file, "data file not found");
  if (file.extension() == ".npy") return read_npy(file);
  return read_text(file);
}

}  // namespace orrery::kernel
