#include "rq_spline.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "orrery/error.hpp"

namespace orrery::nde {

namespace {

using Eigen::Index;

std::string shape(Index rows, Index cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

template <typename T>
T softplus(T r) {
  return std::max(r, T(0)) + std::log1p(std::exp(-std::abs(r)));
}

template <typename T>
T sigmoid(T r) {
  if (r >= T(0)) return T(1) / (T(1) + std::exp(-r));
  const T e = std::exp(r);
  return e / (T(1) + e);
}

/// out[i] = softmax(raw)[i], i < K, with Eigen's vectorised exp.
template <typename T>
void softmax(const T* raw, Index K, T* out) {
  using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
  const Eigen::Map<const Array> r(raw, K);
  Eigen::Map<Array> o(out, K);
  o = (r - r.maxCoeff()).exp();
  o *= T(1) / o.sum();
}

/// The configuration converted to T once per call.
template <typename T>
struct Constants {
  Index K;
  T B;       // tail bound
  T aw, bw;  // bin width  = aw + bw·softmax_k  (aw = 2B·m_w, bw = 2B·(1 − m_w K))
  T ah, bh;  // bin height = ah + bh·softmax_k
  T md;      // least interior slope

  explicit Constants(const RqSplineConfig& c)
      : K(c.bins),
        B(static_cast<T>(c.tail_bound)),
        aw(static_cast<T>(2.0 * c.tail_bound * c.min_bin_width)),
        bw(static_cast<T>(2.0 * c.tail_bound * (1.0 - c.min_bin_width * static_cast<double>(c.bins)))),
        ah(static_cast<T>(2.0 * c.tail_bound * c.min_bin_height)),
        bh(static_cast<T>(2.0 * c.tail_bound * (1.0 - c.min_bin_height * static_cast<double>(c.bins)))),
        md(static_cast<T>(c.min_derivative)) {}
};

/// The bin holding one input, and its knots, found during the cumulative sums.
template <typename T>
struct Bin {
  Index k;
  T xk, w;   // left knot and width in x
  T yk, h;   // bottom knot and height in y
  T d0, d1;  // slopes at x_k and x_{k+1}
};

/// Softmaxes of the raw widths and heights into sw, sh (K each) and the bin holding v, searched
/// among the x knots (by_y false) or the y knots (by_y true). v must lie in [−B, B].
template <typename T>
Bin<T> locate(const Constants<T>& c, const T* raw, T v, bool by_y, T* sw, T* sh) {
  const Index K = c.K;
  softmax(raw, K, sw);
  softmax(raw + K, K, sh);
  T x0 = -c.B, y0 = -c.B;
  Index k = 0;
  for (; k < K - 1; ++k) {
    const T x1 = x0 + c.aw + c.bw * sw[k];
    const T y1 = y0 + c.ah + c.bh * sh[k];
    if (v < (by_y ? y1 : x1)) break;
    x0 = x1;
    y0 = y1;
  }
  // The last knot is B itself, whatever the rounding of the sums.
  const T x1 = k == K - 1 ? c.B : x0 + c.aw + c.bw * sw[k];
  const T y1 = k == K - 1 ? c.B : y0 + c.ah + c.bh * sh[k];
  const T* rd = raw + 2 * K;
  const T d0 = k == 0 ? T(1) : c.md + softplus(rd[k - 1]);
  const T d1 = k == K - 1 ? T(1) : c.md + softplus(rd[k]);
  return {k, x0, x1 - x0, y0, y1 - y0, d0, d1};
}

/// The quantities of the bin formula at ξ shared by the value, the log-slope and the gradient.
template <typename T>
struct Local {
  T s, xi, tau, c, den, num, P;

  Local(const Bin<T>& b, T xi_)
      : s(b.h / b.w),
        xi(xi_),
        tau(xi_ * (T(1) - xi_)),
        c(b.d0 + b.d1 - T(2) * s),
        den(s + c * tau),
        num(s * xi_ * xi_ + b.d0 * tau),
        P(b.d1 * xi_ * xi_ + T(2) * s * tau + b.d0 * (T(1) - xi_) * (T(1) - xi_)) {}

  [[nodiscard]] T log_slope() const { return std::log(s * s * P / (den * den)); }
};

template <typename T>
bool in_spline(const Constants<T>& c, T v) {
  return v >= -c.B && v <= c.B;  // false for NaN: a non-finite input passes through the tails
}

}  // namespace

template <typename T>
RqSpline<T>::RqSpline(const RqSplineConfig& config) : config_(config) {
  const auto& c = config_;
  const double K = static_cast<double>(c.bins);
  std::string why;
  if (c.bins < 1 || c.bins > max_bins)
    why = "bins = " + std::to_string(c.bins) + ", expected 1.." + std::to_string(max_bins);
  else if (!(c.tail_bound > 0.0) || !std::isfinite(c.tail_bound))
    why = "tail_bound = " + std::to_string(c.tail_bound) + ", expected a finite B > 0";
  else if (!(c.min_bin_width >= 0.0 && c.min_bin_width * K < 1.0))
    why = "min_bin_width = " + std::to_string(c.min_bin_width) + ", expected 0 <= min_bin_width * bins < 1";
  else if (!(c.min_bin_height >= 0.0 && c.min_bin_height * K < 1.0))
    why = "min_bin_height = " + std::to_string(c.min_bin_height) + ", expected 0 <= min_bin_height * bins < 1";
  else if (!(c.min_derivative >= 0.0) || !std::isfinite(c.min_derivative))
    why = "min_derivative = " + std::to_string(c.min_derivative) + ", expected a finite value >= 0";
  if (!why.empty()) throw Error("nde.rq_spline: " + why);
}

template <typename T>
T RqSpline<T>::identity_raw_derivative() const {
  // softplus(r) = 1 − m_δ  ⇔  r = log(e^{1−m_δ} − 1); m_δ = 1 would need r = −∞.
  return static_cast<T>(std::log(std::expm1(1.0 - config_.min_derivative)));
}

template <typename T>
nn::RowVector<T> RqSpline<T>::identity_parameters(Eigen::Index dim) const {
  const Index K = config_.bins, P = params_per_variable();
  nn::RowVector<T> row = nn::RowVector<T>::Zero(dim * P);
  for (Index j = 0; j < dim; ++j) row.segment(j * P + 2 * K, K - 1).setConstant(identity_raw_derivative());
  return row;
}

template <typename T>
void RqSpline<T>::check(const char* method, const ConstRef& in, const ConstRef& params) const {
  const Index n = in.rows(), D = in.cols(), P = params_per_variable();
  if (params.rows() != n || params.cols() != D * P)
    throw Error(std::string("nde.rq_spline: ") + method + ": params is " + shape(params.rows(), params.cols()) +
                ", expected " + shape(n, D * P) + " (D*(3K-1) columns with D = " + std::to_string(D) +
                ", K = " + std::to_string(config_.bins) + ")");
}

namespace {
template <typename M>
void check_output(const char* method, const char* what, const M& out, Index rows, Index cols) {
  if (out.rows() != rows || out.cols() != cols)
    throw Error(std::string("nde.rq_spline: ") + method + ": " + what + " is " + shape(out.rows(), out.cols()) +
                ", expected " + shape(rows, cols));
}
}  // namespace

namespace {
/// The loop forward() and inverse() share, over the n × D elements of `in`:
/// an element outside [−B, B] passes through unchanged with log-determinant
/// 0; inside, `element(bin, value, out, logdet)` maps it, given its bin
/// located by abscissa (forward) or by ordinate (`by_ordinate`, inverse).
template <typename T, typename Element>
void map_elements(const RqSplineConfig& config, Index params_per_variable, const Eigen::Ref<const nn::Matrix<T>>& in,
                  const Eigen::Ref<const nn::Matrix<T>>& params, Eigen::Ref<nn::Matrix<T>> out,
                  Eigen::Ref<nn::Matrix<T>> logdet, bool by_ordinate, Element element) {
  const Constants<T> c(config);
  std::array<T, RqSpline<T>::max_bins> sw, sh;
  for (Index i = 0; i < in.rows(); ++i) {
    const T* row = params.data() + i * params.outerStride();
    for (Index j = 0; j < in.cols(); ++j) {
      const T v = in(i, j);
      if (!in_spline(c, v)) {
        out(i, j) = v;
        logdet(i, j) = T(0);
        continue;
      }
      element(locate(c, row + j * params_per_variable, v, by_ordinate, sw.data(), sh.data()), v, out(i, j),
              logdet(i, j));
    }
  }
}
}  // namespace

template <typename T>
void RqSpline<T>::forward(const ConstRef& x, const ConstRef& params, Ref y, Ref logdet) const {
  check("forward", x, params);
  check_output("forward", "y", y, x.rows(), x.cols());
  check_output("forward", "logdet", logdet, x.rows(), x.cols());
  map_elements<T>(config_, params_per_variable(), x, params, y, logdet, false,
                  [](const Bin<T>& b, T v, T& out, T& log_det) {
                    const Local<T> l(b, (v - b.xk) / b.w);
                    out = b.yk + b.h * l.num / l.den;
                    log_det = l.log_slope();
                  });
}

template <typename T>
void RqSpline<T>::backward(const ConstRef& x, const ConstRef& params, const ConstRef& grad_y,
                           const ConstRef& grad_logdet, Ref grad_x, Ref grad_params) const {
  check("backward", x, params);
  const Index n = x.rows(), D = x.cols(), K = config_.bins, P = params_per_variable();
  check_output("backward", "grad_y", grad_y, n, D);
  check_output("backward", "grad_logdet", grad_logdet, n, D);
  check_output("backward", "grad_x", grad_x, n, D);
  check_output("backward", "grad_params", grad_params, n, D * P);
  const Constants<T> c(config_);
  std::array<T, max_bins> sw, sh;
  for (Index i = 0; i < n; ++i) {
    const T* row = params.data() + i * params.outerStride();
    T* grow = grad_params.data() + i * grad_params.outerStride();
    for (Index j = 0; j < D; ++j) {
      const T v = x(i, j), gy = grad_y(i, j), gl = grad_logdet(i, j);
      T* g = grow + j * P;
      if (!in_spline(c, v)) {
        grad_x(i, j) = gy;
        std::fill(g, g + P, T(0));
        continue;
      }
      const T* raw = row + j * P;
      const Bin<T> b = locate(c, raw, v, false, sw.data(), sh.data());
      const Local<T> l(b, (v - b.xk) / b.w);
      const T s = l.s, xi = l.xi, tau = l.tau, den = l.den, N = l.num, Pq = l.P, h = b.h, w = b.w;
      const T inv_den = T(1) / den, inv_den2 = inv_den * inv_den, inv_P = T(1) / Pq;
      const T one_2xi = T(1) - T(2) * xi, one_2tau = T(1) - T(2) * tau;
      // y = y_k + h N/den, N = s ξ² + δ0 τ, den = s + (δ0 + δ1 − 2s) τ.
      const T dy_dxi = h * s * Pq * inv_den2;  // = w·dy/dx
      const T dy_ds = h * (xi * xi * den - N * one_2tau) * inv_den2;
      const T dy_dd0 = h * tau * (den - N) * inv_den2;
      const T dy_dd1 = -h * N * tau * inv_den2;
      const T dy_dh = N * inv_den;
      // log|dy/dx| = 2 log s + log P − 2 log den, P = δ1 ξ² + 2 s τ + δ0 (1 − ξ)².
      const T dl_dxi =
          T(2) * (b.d1 * xi + s * one_2xi - b.d0 * (T(1) - xi)) * inv_P - T(2) * l.c * one_2xi * inv_den;
      const T dl_ds = T(2) / s + T(2) * tau * inv_P - T(2) * one_2tau * inv_den;
      const T dl_dd0 = (T(1) - xi) * (T(1) - xi) * inv_P - T(2) * tau * inv_den;
      const T dl_dd1 = xi * xi * inv_P - T(2) * tau * inv_den;

      const T g_xi = gy * dy_dxi + gl * dl_dxi;
      const T g_s = gy * dy_ds + gl * dl_ds;
      const T g_d0 = gy * dy_dd0 + gl * dl_dd0;
      const T g_d1 = gy * dy_dd1 + gl * dl_dd1;
      // s = h/w, ξ = (x − x_k)/w.
      const T g_h = gy * dy_dh + g_s / w;
      const T g_w = -(g_s * s + g_xi * xi) / w;
      const T g_xk = -g_xi / w;
      const T g_yk = gy;
      grad_x(i, j) = g_xi / w;

      // x_k = −B + Σ_{m<k} width_m and w = width_k with width_m = aw + bw·softmax_m, and the
      // softmax Jacobian ∂σ_m/∂r_q = σ_m (1[m=q] − σ_q): ∂L/∂r_q = bw σ_q (G_q − Σ_m σ_m G_m),
      // G_q = ∂L/∂x_k for q < k, ∂L/∂w for q = k, 0 above. Likewise for the heights.
      const Index k = b.k;
      T below_w = T(0), below_h = T(0);
      for (Index q = 0; q < k; ++q) {
        below_w += sw[q];
        below_h += sh[q];
      }
      const T mean_w = g_xk * below_w + g_w * sw[k];
      const T mean_h = g_yk * below_h + g_h * sh[k];
      for (Index q = 0; q < K; ++q) {
        const T Gw = q < k ? g_xk : (q == k ? g_w : T(0));
        const T Gh = q < k ? g_yk : (q == k ? g_h : T(0));
        g[q] = c.bw * sw[q] * (Gw - mean_w);
        g[K + q] = c.bh * sh[q] * (Gh - mean_h);
      }
      // Only the slopes at the bin's two knots matter; the boundary slopes are fixed.
      T* gd = g + 2 * K;
      const T* rd = raw + 2 * K;
      std::fill(gd, gd + (K - 1), T(0));
      if (k > 0) gd[k - 1] = g_d0 * sigmoid(rd[k - 1]);
      if (k < K - 1) gd[k] = g_d1 * sigmoid(rd[k]);
    }
  }
}

template <typename T>
void RqSpline<T>::inverse(const ConstRef& y, const ConstRef& params, Ref x, Ref logdet) const {
  check("inverse", y, params);
  check_output("inverse", "x", x, y.rows(), y.cols());
  check_output("inverse", "logdet", logdet, y.rows(), y.cols());
  map_elements<T>(config_, params_per_variable(), y, params, x, logdet, true,
                  [](const Bin<T>& b, T v, T& out, T& log_det) {
                    // (y − y_k)·den = h N is the quadratic a ξ² + b ξ + c = 0 of the paper's appendix A.3;
                    // c ≤ 0 ≤ a + b + c, and its root in [0, 1] is taken as 2c / (−b − √(b² − 4ac)), the form
                    // that stays accurate where a → 0 (nearly linear bins, e.g. the identity).
                    const T s = b.h / b.w, dy = v - b.yk, cs = b.d0 + b.d1 - T(2) * s;
                    const T qa = b.h * (s - b.d0) + dy * cs;
                    const T qb = b.h * b.d0 - dy * cs;
                    const T qc = -s * dy;
                    const T disc = std::max(qb * qb - T(4) * qa * qc, T(0));
                    const T xi = std::clamp(T(2) * qc / (-qb - std::sqrt(disc)), T(0), T(1));
                    const Local<T> l(b, xi);
                    out = b.xk + xi * b.w;
                    log_det = -l.log_slope();
                  });
}

template class RqSpline<float>;
template class RqSpline<double>;

}  // namespace orrery::nde
