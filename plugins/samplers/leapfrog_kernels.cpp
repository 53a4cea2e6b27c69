#include "leapfrog_kernels.hpp"

namespace orrery::samplers::kernels {
namespace {

/// Element i of a velocity: m[i]·v[i] with a diagonal metric (v holds the
/// momentum), v[i] otherwise. A template parameter, so each loop is compiled
/// without a branch inside.
template <bool kDiagonal>
inline double velocity(const double* m, const double* v, std::ptrdiff_t i) {
  if constexpr (kDiagonal)
    return m[i] * v[i];
  else
    return v[i];
}

template <bool kDiagonal>
bool join(std::ptrdiff_t n, const double* m, const double* v_a_first, const double* v_a_last, const double* p_a_last,
          const double* rho_a, const double* v_b_first, const double* p_b_first, const double* v_b_last,
          const double* rho_b, double* rho_out) {
  double a_first_rho = 0.0, b_last_rho = 0.0;    // against rho_a + rho_b
  double a_first_seam = 0.0, b_first_seam = 0.0;  // against rho_a + p_b_first
  double a_last_seam = 0.0, b_last_seam = 0.0;    // against rho_b + p_a_last
#pragma omp simd reduction(+ : a_first_rho, b_last_rho, a_first_seam, b_first_seam, a_last_seam, b_last_seam)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const double rho = rho_a[i] + rho_b[i];
    const double seam_b = rho_a[i] + p_b_first[i];
    const double seam_a = rho_b[i] + p_a_last[i];
    const double va_first = velocity<kDiagonal>(m, v_a_first, i), vb_last = velocity<kDiagonal>(m, v_b_last, i);
    rho_out[i] = rho;
    a_first_rho += va_first * rho;
    b_last_rho += vb_last * rho;
    a_first_seam += va_first * seam_b;
    b_first_seam += velocity<kDiagonal>(m, v_b_first, i) * seam_b;
    a_last_seam += velocity<kDiagonal>(m, v_a_last, i) * seam_a;
    b_last_seam += vb_last * seam_a;
  }
  return a_first_rho > 0.0 && b_last_rho > 0.0 && a_first_seam > 0.0 && b_first_seam > 0.0 && a_last_seam > 0.0 &&
         b_last_seam > 0.0;
}

template <bool kDiagonal>
bool join_leaves(std::ptrdiff_t n, const double* m, const double* v_a, const double* p_a, const double* v_b,
                 const double* p_b, double* rho_out) {
  double a_rho = 0.0, b_rho = 0.0;
#pragma omp simd reduction(+ : a_rho, b_rho)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const double rho = p_a[i] + p_b[i];
    rho_out[i] = rho;
    a_rho += velocity<kDiagonal>(m, v_a, i) * rho;
    b_rho += velocity<kDiagonal>(m, v_b, i) * rho;
  }
  return a_rho > 0.0 && b_rho > 0.0;
}

}  // namespace

void kick_drift(std::ptrdiff_t n, const double* from_q, const double* from_p, const double* grad, const double* m,
                double kick, double drift, double* to_q, double* to_p) {
#pragma omp simd
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const double p = from_p[i] + kick * grad[i];
    to_p[i] = p;
    to_q[i] = from_q[i] + drift * (m[i] * p);
  }
}

double kick_velocity(std::ptrdiff_t n, double* p, const double* grad, const double* m, double kick, double* v) {
  double twice_kinetic = 0.0;
  if (v == nullptr) {
#pragma omp simd reduction(+ : twice_kinetic)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      const double pi = p[i] + kick * grad[i];
      p[i] = pi;
      twice_kinetic += pi * (m[i] * pi);
    }
    return twice_kinetic;
  }
#pragma omp simd reduction(+ : twice_kinetic)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const double pi = p[i] + kick * grad[i];
    const double vi = m[i] * pi;
    p[i] = pi;
    v[i] = vi;
    twice_kinetic += pi * vi;
  }
  return twice_kinetic;
}

bool join_without_u_turn(std::ptrdiff_t n, const double* m, const double* v_a_first, const double* v_a_last,
                         const double* p_a_last, const double* rho_a, const double* v_b_first, const double* p_b_first,
                         const double* v_b_last, const double* rho_b, double* rho_out) {
  return m != nullptr ? join<true>(n, m, v_a_first, v_a_last, p_a_last, rho_a, v_b_first, p_b_first, v_b_last, rho_b,
                                   rho_out)
                      : join<false>(n, m, v_a_first, v_a_last, p_a_last, rho_a, v_b_first, p_b_first, v_b_last,
                                    rho_b, rho_out);
}

bool join_leaves_without_u_turn(std::ptrdiff_t n, const double* m, const double* v_a, const double* p_a,
                                const double* v_b, const double* p_b, double* rho_out) {
  return m != nullptr ? join_leaves<true>(n, m, v_a, p_a, v_b, p_b, rho_out)
                      : join_leaves<false>(n, m, v_a, p_a, v_b, p_b, rho_out);
}

}  // namespace orrery::samplers::kernels
