// Checkpoints: how a long-running component saves its exact state so that
// `orrery run --resume` continues an interrupted run and produces the same
// output, bit for bit, as a run that was never interrupted.
//
// The kernel offers a CheckpointStore to every component through
// Context::extension(kCheckpointExtension) (see checkpoint_store() below; it
// is nullptr under a kernel or test harness without checkpoints, and
// components must then simply run without saving). The store holds one
// opaque byte string per component:
//  * saved_state(): what this component saved in the interrupted run that is
//    being resumed, or nullopt for a fresh run (or if it never saved);
//  * due(): whether a save now would be worthwhile (the kernel paces saves,
//    by default one a minute, `--checkpoint-every` seconds); cheap to call;
//  * save(bytes): atomically replaces this component's state on disk (written
//    under a temporary name, flushed, renamed): a crash during save() leaves
//    the previous checkpoint intact. Throws Error if the disk write fails.
// Components call them from the thread that runs them (not thread-safe).
//
// What a component saves must be *everything* its future depends on: random
// stream states (RandomStream::state()), adaptation state, counters and the
// draws so far. StateWriter / StateReader give a checked binary encoding:
// a component writes a tagged header, then its fields in a fixed order,
// and reads them back in the same order; a mismatch or truncation throws.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "orrery/context.hpp"
#include "orrery/error.hpp"
#include "orrery/random.hpp"

namespace orrery {

inline constexpr std::string_view kCheckpointExtension = "orrery.checkpoint/1";

class ORRERY_API CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  [[nodiscard]] virtual std::optional<std::string> saved_state() const = 0;
  [[nodiscard]] virtual bool due() const = 0;
  virtual void save(std::string_view bytes) = 0;
};

/// The kernel's checkpoint store for this component, or nullptr if none.
inline CheckpointStore* checkpoint_store(Context& ctx) {
  return static_cast<CheckpointStore*>(ctx.extension(kCheckpointExtension));
}

/// Appends values to a byte string. Use operator() for every field, in the
/// same order the StateReader will read them.
class StateWriter {
 public:
  /// Starts with a header naming the format (e.g. "samplers.nuts/1").
  explicit StateWriter(std::string_view format) { (*this)(std::string(format)); }

  template <typename T>
    requires std::is_arithmetic_v<T>
  void operator()(const T& value) {
    put(&value, sizeof(T));
  }
  void operator()(const std::string& value) {
    (*this)(static_cast<std::uint64_t>(value.size()));
    put(value.data(), value.size());
  }
  template <typename T>
    requires std::is_arithmetic_v<T>
  void operator()(const std::vector<T>& values) {
    (*this)(static_cast<std::uint64_t>(values.size()));
    put(values.data(), values.size() * sizeof(T));
  }
  template <typename Scalar, int R, int C, int O, int MR, int MC>
  void operator()(const Eigen::Matrix<Scalar, R, C, O, MR, MC>& m) {
    (*this)(static_cast<std::int64_t>(m.rows()));
    (*this)(static_cast<std::int64_t>(m.cols()));
    put(m.data(), static_cast<std::size_t>(m.size()) * sizeof(Scalar));
  }
  void operator()(const RandomStream& rng) {
    const RandomStream::State st = rng.state();
    (*this)(st.seed);
    for (std::uint64_t word : st.s) (*this)(word);
  }

  [[nodiscard]] const std::string& bytes() const { return bytes_; }

 private:
  void put(const void* data, std::size_t size) { bytes_.append(static_cast<const char*>(data), size); }
  std::string bytes_;
};

/// Reads what a StateWriter wrote; throws Error on a wrong header, a
/// truncated string or a shape that differs from the destination's.
class StateReader {
 public:
  StateReader(std::string_view bytes, std::string_view format) : bytes_(bytes) {
    std::string header;
    (*this)(header);
    if (header != format)
      throw Error("checkpoint holds state of format '" + header + "', expected '" + std::string(format) + "'");
  }

  template <typename T>
    requires std::is_arithmetic_v<T>
  void operator()(T& value) {
    get(&value, sizeof(T));
  }
  void operator()(std::string& value) {
    std::uint64_t size = 0;
    (*this)(size);
    check(size);
    value.assign(bytes_.data() + position_, size);
    position_ += size;
  }
  template <typename T>
    requires std::is_arithmetic_v<T>
  void operator()(std::vector<T>& values) {
    std::uint64_t size = 0;
    (*this)(size);
    check(size * sizeof(T));
    values.resize(size);
    get(values.data(), size * sizeof(T));
  }
  /// Fixed-size destinations must match; dynamic ones are resized.
  template <typename Scalar, int R, int C, int O, int MR, int MC>
  void operator()(Eigen::Matrix<Scalar, R, C, O, MR, MC>& m) {
    std::int64_t rows = 0, cols = 0;
    (*this)(rows);
    (*this)(cols);
    if (rows < 0 || cols < 0 || (R != Eigen::Dynamic && rows != R) || (C != Eigen::Dynamic && cols != C))
      throw Error("checkpoint is corrupt: a matrix has shape " + std::to_string(rows) + "x" + std::to_string(cols));
    check(static_cast<std::uint64_t>(rows * cols) * sizeof(Scalar));
    m.resize(rows, cols);
    get(m.data(), static_cast<std::size_t>(m.size()) * sizeof(Scalar));
  }
  void operator()(RandomStream& rng) {
    RandomStream::State st;
    (*this)(st.seed);
    for (std::uint64_t& word : st.s) (*this)(word);
    rng.restore(st);
  }

  /// Throws unless every byte was read (call after the last field).
  void finish() const {
    if (position_ != bytes_.size())
      throw Error("checkpoint is corrupt: " + std::to_string(bytes_.size() - position_) + " unread bytes");
  }

 private:
  void check(std::uint64_t size) const {
    if (size > bytes_.size() - position_) throw Error("checkpoint is truncated or corrupt");
  }
  void get(void* data, std::size_t size) {
    check(size);
    std::memcpy(data, bytes_.data() + position_, size);
    position_ += size;
  }
  std::string_view bytes_;
  std::size_t position_ = 0;
};

}  // namespace orrery
