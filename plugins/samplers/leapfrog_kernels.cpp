#include "leapfrog_kernels.hpp"

namespace orrery::samplers::kernels {

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

bool join_without_u_turn(std::ptrdiff_t n, const double* v_a_first, const double* v_a_last, const double* p_a_last,
                         const double* rho_a, const double* v_b_first, const double* p_b_first,
                         const double* v_b_last, const double* rho_b, double* rho_out) {
  double a_first_rho = 0.0, b_last_rho = 0.0;    // against rho_a + rho_b
  double a_first_seam = 0.0, b_first_seam = 0.0;  // against rho_a + p_b_first
  double a_last_seam = 0.0, b_last_seam = 0.0;    // against rho_b + p_a_last
#pragma omp simd reduction(+ : a_first_rho, b_last_rho, a_first_seam, b_first_seam, a_last_seam, b_last_seam)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const double rho = rho_a[i] + rho_b[i];
    const double seam_b = rho_a[i] + p_b_first[i];
    const double seam_a = rho_b[i] + p_a_last[i];
    rho_out[i] = rho;
    a_first_rho += v_a_first[i] * rho;
    b_last_rho += v_b_last[i] * rho;
    a_first_seam += v_a_first[i] * seam_b;
    b_first_seam += v_b_first[i] * seam_b;
    a_last_seam += v_a_last[i] * seam_a;
    b_last_seam += v_b_last[i] * seam_a;
  }
  return a_first_rho > 0.0 && b_last_rho > 0.0 && a_first_seam > 0.0 && b_first_seam > 0.0 && a_last_seam > 0.0 &&
         b_last_seam > 0.0;
}

bool join_leaves_without_u_turn(std::ptrdiff_t n, const double* v_a, const double* p_a, const double* v_b,
                                const double* p_b, double* rho_out) {
  double a_rho = 0.0, b_rho = 0.0;
#pragma omp simd reduction(+ : a_rho, b_rho)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const double rho = p_a[i] + p_b[i];
    rho_out[i] = rho;
    a_rho += v_a[i] * rho;
    b_rho += v_b[i] * rho;
  }
  return a_rho > 0.0 && b_rho > 0.0;
}

}  // namespace orrery::samplers::kernels
