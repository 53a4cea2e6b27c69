// RandomStream: the only source of randomness a component should use.
//
// Reproducibility contract: the kernel derives one stream per component from
// the analysis seed and the component's name, so the same config and seed give
// bit-identical results, and adding a component does not perturb the others.
// Work that runs in parallel must not share a stream: derive one per work item
// (`split(i)`) so results do not depend on the number of threads.
//
// The generator is xoshiro256** seeded through splitmix64; normal variates
// use the polar (Marsaglia) method. Both are written out here, not taken from
// <random>, so streams are identical across standard libraries.
// A RandomStream is a value: not thread-safe, cheap to copy.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace orrery {

class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed = 0) { reseed(seed); }

  /// An independent stream for work item `index`; does not advance this one.
  [[nodiscard]] RandomStream split(std::uint64_t index) const {
    return RandomStream(mix(seed_ ^ mix(index + 0x632be59bd9b4e019ULL)));
  }
  /// An independent stream named by a string (e.g. a component name).
  [[nodiscard]] RandomStream split(std::string_view name) const { return split(hash(name)); }

  /// Uniform 64-bit integer.
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform on (0, 1): safe to take the logarithm of.
  double uniform_open() {
    double u;
    do u = uniform(); while (u == 0.0);
    return u;
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [0, n), without modulo bias.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
    std::uint64_t r;
    do r = next(); while (r >= limit);
    return r % n;
  }

  /// Standard normal variate.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }
  double normal(double mean, double sd) { return mean + sd * normal(); }

  template <typename Derived>
  void fill_normal(Eigen::DenseBase<Derived>& out) {
    for (Eigen::Index j = 0; j < out.cols(); ++j)
      for (Eigen::Index i = 0; i < out.rows(); ++i) out(i, j) = normal();
  }
  template <typename Derived>
  void fill_normal(Eigen::DenseBase<Derived>&& out) { fill_normal(out); }

  /// The complete generator state, for checkpoints: restoring it makes the
  /// stream continue exactly where state() was taken.
  struct State {
    std::uint64_t seed = 0;
    std::uint64_t s[4] = {};
    double spare = 0.0;
    bool has_spare = false;
  };
  [[nodiscard]] State state() const {
    State st;
    st.seed = seed_;
    for (int i = 0; i < 4; ++i) st.s[i] = s_[i];
    st.spare = spare_;
    st.has_spare = has_spare_;
    return st;
  }
  void restore(const State& st) {
    seed_ = st.seed;
    for (int i = 0; i < 4; ++i) s_[i] = st.s[i];
    spare_ = st.spare;
    has_spare_ = st.has_spare;
  }

  /// FNV-1a, used to turn names into stream indices.
  static constexpr std::uint64_t hash(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ULL;
    }
    return h;
  }

 private:
  void reseed(std::uint64_t seed) {
    seed_ = seed;
    std::uint64_t x = seed;
    for (auto& s : s_) {
      x += 0x9e3779b97f4a7c15ULL;
      s = mix(x);
    }
    has_spare_ = false;
  }
  static constexpr std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t seed_ = 0;
  std::uint64_t s_[4] = {};
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace orrery
