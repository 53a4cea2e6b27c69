// The moves of the affine-invariant ensemble sampler ("samplers.ensemble"):
// stretch (Goodman & Weare 2010), differential evolution (ter Braak 2006;
// emcee's DEMove) and walk (Goodman & Weare 2010; emcee's WalkMove).
//
// A move proposes a new position for one walker x from the walkers of the
// complementary half of the ensemble (the columns `complement` of
// `positions`), and returns the log of the proposal's volume factor
// (non-zero only for the stretch move: (d - 1) log z). All three are
// symmetric in the sense the red-blue update needs, so the acceptance
// probability is min(1, exp(factor + log p(y) - log p(x))).
//
// Moves allocate nothing: the caller hands in every buffer.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>

#include <orrery/random.hpp>

namespace orrery::samplers {

enum class MoveKind { Stretch, DifferentialEvolution, Walk };

/// Stretch move: y = c + z (x - c), c a random complementary walker,
/// z ~ g(z) ∝ 1/sqrt(z) on [1/a, a]. Returns (d - 1) log z.
double stretch_move(const Eigen::MatrixXd& positions, std::span<const std::uint32_t> complement, Eigen::Index walker,
                    double a, orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> proposal);

/// Differential-evolution move: y = x + gamma (c1 - c2) + sigma ε, with c1, c2
/// two distinct random complementary walkers and ε ~ N(0, I) per coordinate.
/// Returns 0.
double de_move(const Eigen::MatrixXd& positions, std::span<const std::uint32_t> complement, Eigen::Index walker,
               double gamma, double sigma, orrery::RandomStream& rng, Eigen::Ref<Eigen::VectorXd> proposal);

/// Walk move: y = x + Σ_j z_j (c_j - c̄) / sqrt(s - 1), over s distinct random
/// complementary walkers c_j (all of them when s equals the half's size),
/// z_j ~ N(0, 1): a normal step with the covariance of the chosen walkers, as
/// emcee's WalkMove. `scratch` holds the complement's indices (its size) and
/// `sum` one d-vector. Returns 0.
double walk_move(const Eigen::MatrixXd& positions, std::span<const std::uint32_t> complement, Eigen::Index walker,
                 std::size_t s, orrery::RandomStream& rng, std::span<std::uint32_t> scratch,
                 Eigen::Ref<Eigen::VectorXd> sum, Eigen::Ref<Eigen::VectorXd> proposal);

}  // namespace orrery::samplers
