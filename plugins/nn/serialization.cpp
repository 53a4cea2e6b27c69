#include "nn/serialization.hpp"

#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "orrery/atomic_file.hpp"
#include "orrery/error.hpp"

namespace orrery::nn {

static_assert(std::endian::native == std::endian::little, "weight files are written in the host's byte order");

namespace {

constexpr char kMagic[8] = {'O', 'R', 'R', 'E', 'R', 'Y', 'N', 'N'};

std::uint64_t fnv1a(const unsigned char* bytes, std::size_t n, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (std::size_t i = 0; i < n; ++i) {
    h ^= bytes[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

template <typename V>
void put(std::ostream& out, const V& value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof(V));
}

// Reads from an in-memory copy of the file; every read is bounds-checked so a
// truncated file is reported, never read past.
class Reader {
 public:
  Reader(std::vector<char> bytes, std::string file) : bytes_(std::move(bytes)), file_(std::move(file)) {}
  template <typename V>
  V get(const char* what) {
    V value;
    std::memcpy(&value, take(sizeof(V), what), sizeof(V));
    return value;
  }
  const char* take(std::size_t n, const char* what) {
    if (n > bytes_.size() - pos_) fail(std::string("truncated while reading the ") + what);
    const char* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  [[nodiscard]] bool at_end() const { return pos_ == bytes_.size(); }
  [[noreturn]] void fail(const std::string& message) const {
    throw Error("nn: weight file '" + file_ + "': " + message);
  }

 private:
  std::vector<char> bytes_;
  std::string file_;
  std::size_t pos_ = 0;
};

template <typename S, typename T>
void convert_into(const char* src, FlatView<T>& dst) {
  for (Index i = 0; i < dst.size(); ++i) {
    S value;
    std::memcpy(&value, src + static_cast<std::size_t>(i) * sizeof(S), sizeof(S));
    dst(i) = static_cast<T>(value);
  }
}

}  // namespace

template <typename T>
void save_weights(Layer<T>& network, const std::filesystem::path& path) {
  const std::string architecture = network.describe();
  const FlatViews<T> tensors = network.parameters();
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(kMagic, sizeof kMagic);
    put(out, kWeightFormatVersion);
    put(out, static_cast<std::uint32_t>(sizeof(T)));
    put(out, static_cast<std::uint64_t>(architecture.size()));
    out.write(architecture.data(), static_cast<std::streamsize>(architecture.size()));
    put(out, static_cast<std::uint64_t>(tensors.size()));
    for (const auto& t : tensors) put(out, static_cast<std::uint64_t>(t.size()));
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const auto& t : tensors) {
      const auto bytes = static_cast<std::size_t>(t.size()) * sizeof(T);
      out.write(reinterpret_cast<const char*>(t.data()), static_cast<std::streamsize>(bytes));
      hash = fnv1a(reinterpret_cast<const unsigned char*>(t.data()), bytes, hash);
    }
    put(out, hash);
  }, "nn");
}

template <typename T>
void load_weights(Layer<T>& network, const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("nn: cannot open weight file '" + path.string() + "'");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Reader r(std::move(bytes), path.string());

  if (std::memcmp(r.take(sizeof kMagic, "magic"), kMagic, sizeof kMagic) != 0)
    r.fail("not an Orrery network weight file (bad magic)");
  const auto version = r.get<std::uint32_t>("format version");
  if (version != kWeightFormatVersion)
    r.fail("format version " + std::to_string(version) + ", this build reads version " +
           std::to_string(kWeightFormatVersion));
  const auto scalar = r.get<std::uint32_t>("scalar size");
  if (scalar != sizeof(float) && scalar != sizeof(double))
    r.fail("scalar size " + std::to_string(scalar) + " bytes (expected 4 or 8)");
  const auto arch_length = r.get<std::uint64_t>("architecture length");
  const std::string architecture(r.take(arch_length, "architecture"), arch_length);
  const std::string expected = network.describe();
  if (architecture != expected)
    r.fail("written for architecture '" + architecture + "' but the network is '" + expected + "'");

  FlatViews<T> tensors = network.parameters();
  const auto count = r.get<std::uint64_t>("tensor count");
  if (count != tensors.size())
    r.fail(std::to_string(count) + " tensors but the network has " + std::to_string(tensors.size()));
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const auto size = r.get<std::uint64_t>("tensor sizes");
    if (size != static_cast<std::uint64_t>(tensors[i].size()))
      r.fail("tensor " + std::to_string(i) + " has " + std::to_string(size) + " values, the network's has " +
             std::to_string(tensors[i].size()));
  }
  // Check everything (sizes, hash, trailing bytes) before writing into the network.
  std::vector<const char*> data(tensors.size());
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const auto n = static_cast<std::size_t>(tensors[i].size()) * scalar;
    data[i] = r.take(n, "tensor values");
    hash = fnv1a(reinterpret_cast<const unsigned char*>(data[i]), n, hash);
  }
  if (r.get<std::uint64_t>("checksum") != hash) r.fail("checksum mismatch (the file is corrupt)");
  if (!r.at_end()) r.fail("unexpected bytes after the checksum");
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (scalar == sizeof(float))
      convert_into<float>(data[i], tensors[i]);
    else
      convert_into<double>(data[i], tensors[i]);
  }
}

template void save_weights<float>(Layer<float>&, const std::filesystem::path&);
template void save_weights<double>(Layer<double>&, const std::filesystem::path&);
template void load_weights<float>(Layer<float>&, const std::filesystem::path&);
template void load_weights<double>(Layer<double>&, const std::filesystem::path&);

}  // namespace orrery::nn
