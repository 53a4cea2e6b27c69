// RandomStream: the only source of randomness a component should use.
//
// Reproducibility contract: the kernel derives one stream per component from
// the analysis seed and the component's name, so the same config and seed give
// bit-identical results, and adding a component does not perturb the others.
// Work that runs in parallel must not share a stream: derive one per work item
// (`split(i)`) so results do not depend on the number of threads.
//
// The generator is xoshiro256** seeded through splitmix64; normal variates
// use the 256-layer ziggurat of Marsaglia & Tsang (2000), exact (tail by
// Marsaglia's 1964 method) and about five times faster than the polar
// method: samplers draw a d-vector of momenta every iteration. Both are
// written out here, not taken from <random>, so streams are identical across
// standard libraries.
// A RandomStream is a value: not thread-safe, cheap to copy.
#pragma once

#include <Eigen/Core>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace orrery {

namespace detail {
/// Tables of the 256-layer ziggurat for exp(-x²/2) (Marsaglia & Tsang 2000):
/// 255 rectangles and a base strip (rectangle plus the tail beyond r) of
/// equal area v. Layer i spans heights f[i] .. f[i+1] and widths 0 .. x[i];
/// x[0] = v / f(r) is the base strip's equivalent width, x[256] = 0.
struct NormalZiggurat {
  static constexpr int kLayers = 256;
  static constexpr double kTailStart = 3.6541528853610088;  ///< r
  static constexpr double kLayerArea = 4.92867323399e-3;    ///< v
  double x[kLayers + 1];
  double f[kLayers + 1];  ///< exp(-x²/2)

  NormalZiggurat() {
    const auto density = [](double t) { return std::exp(-0.5 * t * t); };
    x[0] = kLayerArea / density(kTailStart);
    x[1] = kTailStart;
    for (int i = 1; i < kLayers - 1; ++i) x[i + 1] = std::sqrt(-2.0 * std::log(kLayerArea / x[i] + density(x[i])));
    x[kLayers] = 0.0;
    for (int i = 0; i <= kLayers; ++i) f[i] = density(x[i]);
  }
  /// Built once, on first use (thread-safe).
  static const NormalZiggurat& tables() {
    static const NormalZiggurat instance;
    return instance;
  }
};
}  // namespace detail

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
  std::uint64_t next() { return advance(s_); }

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

  /// Standard normal variate (ziggurat: one 64-bit draw in ~99% of calls).
  double normal() {
    const std::uint64_t bits = next();
    const double x = ziggurat_abscissa(bits);
    if (x < detail::NormalZiggurat::tables().x[(bits & 0xffU) + 1]) [[likely]]  // inside the layer's core rectangle
      return with_sign(bits, x);
    return normal_outside_core(bits, x);
  }
  /// Fills out[0, n) with the values n calls of normal() would return, about
  /// twice as fast: the generator state stays in registers.
  void fill_normal(double* out, std::size_t n) {
    const detail::NormalZiggurat& z = detail::NormalZiggurat::tables();
    std::uint64_t s[4] = {s_[0], s_[1], s_[2], s_[3]};
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t bits = advance(s);
      const double x = ziggurat_abscissa(bits);
      if (x < z.x[(bits & 0xffU) + 1]) [[likely]] {
        out[i] = with_sign(bits, x);
        continue;
      }
      for (int k = 0; k < 4; ++k) s_[k] = s[k];
      out[i] = normal_outside_core(bits, x);
      for (int k = 0; k < 4; ++k) s[k] = s_[k];
    }
    for (int k = 0; k < 4; ++k) s_[k] = s[k];
  }
  double normal(double mean, double sd) { return mean + sd * normal(); }

  /// Fills an Eigen array or matrix column by column (as normal() calls in
  /// that order would).
  template <typename Derived>
  void fill_normal(Eigen::DenseBase<Derived>& out) {
    if constexpr (std::is_same_v<typename Derived::Scalar, double> && requires { out.derived().data(); }) {
      if (out.derived().innerStride() == 1 && out.derived().outerStride() == out.rows() && !Derived::IsRowMajor) {
        fill_normal(out.derived().data(), static_cast<std::size_t>(out.size()));
        return;
      }
    }
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
  };
  [[nodiscard]] State state() const {
    State st;
    st.seed = seed_;
    for (int i = 0; i < 4; ++i) st.s[i] = s_[i];
    return st;
  }
  void restore(const State& st) {
    seed_ = st.seed;
    for (int i = 0; i < 4; ++i) s_[i] = st.s[i];
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
  /// The rest of normal() for a draw outside its layer's core rectangle
  /// (about 1% of draws), kept out of line so the hot path stays small.
#if defined(__GNUC__)
  __attribute__((noinline, cold))
#endif
  double normal_outside_core(std::uint64_t bits, double x) {
    const detail::NormalZiggurat& z = detail::NormalZiggurat::tables();
    const std::uint64_t layer = bits & 0xffU;
    const double sign = (bits & 0x100U) != 0U ? -1.0 : 1.0;
    if (layer == 0) {  // the base strip's overhang is the tail beyond r (Marsaglia 1964)
      double a, b;
      do {
        a = -std::log(uniform_open()) / detail::NormalZiggurat::kTailStart;
        b = -std::log(uniform_open());
      } while (b + b < a * a);
      return sign * (detail::NormalZiggurat::kTailStart + a);
    }
    // The wedge between the rectangle's inner edge and the curve; a rejected
    // point starts over with a fresh draw.
    if (z.f[layer] + uniform() * (z.f[layer + 1] - z.f[layer]) < std::exp(-0.5 * x * x)) return sign * x;
    return normal();
  }

  /// xoshiro256**: the next output, advancing state s.
  static std::uint64_t advance(std::uint64_t* s) {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  /// The ziggurat's candidate |x| for one 64-bit draw: bits 0-7 pick the
  /// layer, bit 8 is the sign, bits 11-63 the abscissa (through int64: the
  /// signed conversion is one instruction on x86-64).
  static double ziggurat_abscissa(std::uint64_t bits) {
    return static_cast<double>(static_cast<std::int64_t>(bits >> 11)) * 0x1.0p-53 *
           detail::NormalZiggurat::tables().x[bits & 0xffU];
  }

  /// x with the sign of bit 8 of `bits`, without a branch (a 50/50 branch
  /// mispredicts every other draw).
  static double with_sign(std::uint64_t bits, double x) {
    return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) ^ ((bits & 0x100U) << 55));
  }

  void reseed(std::uint64_t seed) {
    seed_ = seed;
    std::uint64_t x = seed;
    for (auto& s : s_) {
      x += 0x9e3779b97f4a7c15ULL;
      s = mix(x);
    }
  }
  static constexpr std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t seed_ = 0;
  std::uint64_t s_[4] = {};
};

}  // namespace orrery
