// The fused integrator loops against the separate Eigen expressions they
// replace (plugins/samplers/leapfrog_kernels.hpp).
#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <cmath>

#include <orrery/random.hpp>

#include "leapfrog_kernels.hpp"

namespace kernels = orrery::samplers::kernels;
using Eigen::VectorXd;

namespace {

VectorXd random_vector(orrery::RandomStream& rng, Eigen::Index n) {
  VectorXd v(n);
  rng.fill_normal(v);
  return v;
}

}  // namespace

TEST_CASE("kick_drift and kick_velocity match the leapfrog's separate steps", "[samplers][kernels]") {
  orrery::RandomStream rng(11);
  for (const Eigen::Index n : {1, 3, 8, 1001}) {  // lengths below, at and past the vector width
    const VectorXd q = random_vector(rng, n), p = random_vector(rng, n), g = random_vector(rng, n);
    const VectorXd m = random_vector(rng, n).cwiseAbs().array() + 0.1;
    const double kick = 0.05, drift = 0.1;

    VectorXd to_q(n), to_p(n);
    kernels::kick_drift(n, q.data(), p.data(), g.data(), m.data(), kick, drift, to_q.data(), to_p.data());
    const VectorXd p_half = p + kick * g;
    CHECK((to_p - p_half).cwiseAbs().maxCoeff() < 1e-15);
    CHECK((to_q - (q + drift * m.cwiseProduct(p_half))).cwiseAbs().maxCoeff() < 1e-14);

    // In place, as static HMC uses it.
    VectorXd q_in = q, p_in = p;
    kernels::kick_drift(n, q_in.data(), p_in.data(), g.data(), m.data(), kick, drift, q_in.data(), p_in.data());
    CHECK(q_in == to_q);
    CHECK(p_in == to_p);

    VectorXd p_full = p, v(n);
    const double twice_kinetic = kernels::kick_velocity(n, p_full.data(), g.data(), m.data(), kick, v.data());
    CHECK((p_full - p_half).cwiseAbs().maxCoeff() < 1e-15);
    CHECK((v - m.cwiseProduct(p_half)).cwiseAbs().maxCoeff() < 1e-15);
    CHECK(twice_kinetic == Approx(p_half.dot(m.cwiseProduct(p_half))).epsilon(1e-12));
    // Without a velocity output: the same momentum and energy.
    VectorXd p_only = p;
    CHECK(kernels::kick_velocity(n, p_only.data(), g.data(), m.data(), kick, nullptr) == twice_kinetic);
    CHECK(p_only == p_full);
  }
}

TEST_CASE("the fused U-turn join agrees with Stan's three criteria", "[samplers][kernels]") {
  orrery::RandomStream rng(12);
  const Eigen::Index n = 37;
  const VectorXd m = random_vector(rng, n).cwiseAbs().array() + 0.1;
  int persisted = 0, stopped = 0;
  for (int trial = 0; trial < 400; ++trial) {
    // Momenta with a common drift, so both outcomes occur.
    const VectorXd drift = VectorXd::Constant(n, 0.15 * (trial % 7 - 3));
    auto draw = [&] { return VectorXd(random_vector(rng, n) + drift); };
    const VectorXd p_a_first = draw(), p_a_last = draw(), rho_a = draw();
    const VectorXd p_b_first = draw(), p_b_last = draw(), rho_b = draw();
    const VectorXd v_a_first = m.cwiseProduct(p_a_first), v_a_last = m.cwiseProduct(p_a_last);
    const VectorXd v_b_first = m.cwiseProduct(p_b_first), v_b_last = m.cwiseProduct(p_b_last);
    const VectorXd sum = rho_a + rho_b, seam_b = rho_a + p_b_first, seam_a = rho_b + p_a_last;
    const bool reference = v_a_first.dot(sum) > 0 && v_b_last.dot(sum) > 0 && v_a_first.dot(seam_b) > 0 &&
                           v_b_first.dot(seam_b) > 0 && v_a_last.dot(seam_a) > 0 && v_b_last.dot(seam_a) > 0;
    // Given velocities (a dense metric's form), and given momenta and the
    // diagonal m (velocities formed inside).
    VectorXd rho(n), rho_diagonal(n);
    const bool with_velocities =
        kernels::join_without_u_turn(n, nullptr, v_a_first.data(), v_a_last.data(), p_a_last.data(), rho_a.data(),
                                     v_b_first.data(), p_b_first.data(), v_b_last.data(), rho_b.data(), rho.data());
    const bool with_diagonal = kernels::join_without_u_turn(n, m.data(), p_a_first.data(), p_a_last.data(),
                                                            p_a_last.data(), rho_a.data(), p_b_first.data(),
                                                            p_b_first.data(), p_b_last.data(), rho_b.data(),
                                                            rho_diagonal.data());
    REQUIRE(with_velocities == reference);
    REQUIRE(with_diagonal == reference);
    REQUIRE((rho - sum).cwiseAbs().maxCoeff() < 1e-15);
    REQUIRE(rho_diagonal == rho);
    (reference ? persisted : stopped)++;

    // Two single leaves: the seam checks coincide with the first.
    const VectorXd p_a = draw(), p_b = draw(), v_a = m.cwiseProduct(p_a), v_b = m.cwiseProduct(p_b);
    VectorXd rho_leaves(n), rho_general(n);
    const bool leaves = kernels::join_leaves_without_u_turn(n, nullptr, v_a.data(), p_a.data(), v_b.data(),
                                                            p_b.data(), rho_leaves.data());
    const bool general = kernels::join_without_u_turn(n, nullptr, v_a.data(), v_a.data(), p_a.data(), p_a.data(),
                                                      v_b.data(), p_b.data(), v_b.data(), p_b.data(),
                                                      rho_general.data());
    const bool leaves_diagonal = kernels::join_leaves_without_u_turn(n, m.data(), p_a.data(), p_a.data(),
                                                                     p_b.data(), p_b.data(), rho_leaves.data());
    REQUIRE(leaves == general);
    REQUIRE(leaves_diagonal == general);
    REQUIRE(rho_leaves == rho_general);
  }
  CHECK(persisted > 50);
  CHECK(stopped > 50);
}
