// The fused vector loops of the Hamiltonian integrators for a diagonal
// inverse metric m. Each does in one pass over the d elements what separate
// Eigen expressions would do in two to four, which matters when the gradient
// itself costs only a pass or two (issue 4's overhead target). Reductions are
// vectorised through `#pragma omp simd` (compiled with -fopenmp-simd, no
// threads): the summation order is fixed by the build, so results are
// reproducible run to run and on any thread count.
#pragma once

#include <cstddef>

namespace orrery::samplers::kernels {

/// to_p = from_p + kick · grad, then to_q = from_q + drift · m ∘ to_p.
/// `to_*` may alias `from_*` (element-wise update).
void kick_drift(std::ptrdiff_t n, const double* from_q, const double* from_p, const double* grad, const double* m,
                double kick, double drift, double* to_q, double* to_p);

/// p += kick · grad and, unless v is null, v = m ∘ p; returns pᵀ(m ∘ p)
/// (twice the kinetic energy).
double kick_velocity(std::ptrdiff_t n, double* p, const double* grad, const double* m, double kick, double* v);

/// The generalised U-turn criterion (Betancourt 2017, with Stan's extra
/// checks across the seam) for joining subtree a (leaves a_first .. a_last,
/// momentum sum rho_a) and the adjacent subtree b (b_first .. b_last, rho_b),
/// with v = M⁻¹p the leaves' velocities. With a diagonal metric pass its
/// diagonal as `m` and the momenta in place of the velocities (v = m ∘ p is
/// formed on the fly, so leaves need not store it); otherwise pass m = null.
/// Writes rho_out = rho_a + rho_b and returns true if no U-turn is found:
///   v_a_first·ρ > 0 and v_b_last·ρ > 0                  (ρ = rho_a + rho_b),
///   v_a_first·ρ' > 0 and v_b_first·ρ' > 0               (ρ' = rho_a + p_b_first),
///   v_a_last·ρ'' > 0 and v_b_last·ρ'' > 0               (ρ'' = rho_b + p_a_last).
/// rho_out may alias neither input.
bool join_without_u_turn(std::ptrdiff_t n, const double* m, const double* v_a_first, const double* v_a_last, const double* p_a_last,
                         const double* rho_a, const double* v_b_first, const double* p_b_first,
                         const double* v_b_last, const double* rho_b, double* rho_out);

/// join_without_u_turn for two single leaves a and b (rho_a = p_a,
/// rho_b = p_b), where the three checks coincide: writes
/// rho_out = p_a + p_b and returns v_a·rho_out > 0 and v_b·rho_out > 0
/// (`m` as there).
bool join_leaves_without_u_turn(std::ptrdiff_t n, const double* m, const double* v_a, const double* p_a, const double* v_b,
                                const double* p_b, double* rho_out);

}  // namespace orrery::samplers::kernels
