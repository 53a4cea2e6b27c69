// write_file_atomically: how every file a component or the kernel produces
// (chains, tables, trained networks, simulation sets, checkpoints) reaches
// disk, so that a crash, a full disk or Ctrl-C leaves the previous file or
// none, never half of one.
//
// Contract:
//  * The content goes to a temporary file beside `path` (".<name>.tmp-<pid>-<n>",
//    unique per process and call, so concurrent writers in one folder do not
//    collide), which is flushed, fsync'ed, closed and then renamed over `path`
//    (atomic on POSIX file systems).
//  * On any failure the temporary file is removed, `path` is left as it was,
//    and orrery::Error is thrown naming `path`, the reason, and `who` (the
//    component or subsystem, e.g. "nde.gmm") when given. An exception thrown
//    by the caller's writer propagates unchanged (after the same clean-up).
//  * Files are written byte for byte (binary mode): text is written as given.
//  * Whether an existing `path` may be replaced is the caller's decision: this
//    function replaces it.
// Header-only (POSIX); no state.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <unistd.h>

#include "error.hpp"

namespace orrery {

namespace detail {
/// "who: " or nothing.
inline std::string atomic_file_prefix(std::string_view who) {
  return who.empty() ? std::string() : std::string(who) + ": ";
}
/// Forces a closed file's data to disk; false (errno set) on failure.
inline bool fsync_file(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  errno = err;
  return synced;
}
}  // namespace detail

/// Writes `path` through a temporary file and a rename: `write` receives a
/// binary output stream for the content. See the contract above.
inline void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write,
                                  std::string_view who = {}) {
  static std::atomic<unsigned long> counter{0};
  const std::string prefix = detail::atomic_file_prefix(who);
  if (path.filename().empty()) throw Error(prefix + "'" + path.string() + "' names no file");
  const std::filesystem::path temporary =
      path.parent_path() / ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                            std::to_string(counter.fetch_add(1)));
  auto fail = [&](const std::string& reason) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw Error(prefix + "cannot write '" + path.string() + "': " + reason);
  };
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) fail(std::string(std::strerror(errno)) + " (does the folder exist and is it writable?)");
    try {
      write(out);
    } catch (...) {  // the writer's own error: no temporary file left behind
      out.close();
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw;
    }
    out.flush();
    if (!out) fail("error while writing (disk full?)");
  }
  if (!detail::fsync_file(temporary)) fail(std::string("fsync: ") + std::strerror(errno));
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) fail("cannot rename the temporary file into place: " + ec.message());
}

/// The same for content already in memory.
inline void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                  std::string_view who = {}) {
  write_file_atomically(
      path, [content](std::ostream& out) { out.write(content.data(), static_cast<std::streamsize>(content.size())); },
      who);
}

}  // namespace orrery
