// Draws the sbibm simulators need beyond RandomStream's uniform and normal
// variates: Bernoulli, binomial and log-normal. All randomness comes from the
// stream passed in, so a draw is reproducible from the stream's state; the
// functions keep no state and are thread-safe for distinct streams.
#pragma once

#include <cstdint>

#include <orrery/random.hpp>

namespace orrery::sbibm {

/// 1 with probability p, else 0: one uniform u, returns u < p (so p ≤ 0 gives 0
/// and p ≥ 1 gives 1). NaN p gives 0.
inline int bernoulli(orrery::RandomStream& rng, double p) { return rng.uniform() < p ? 1 : 0; }

/// exp(N(mu, sigma²)): log-normal with mean mu and sd sigma of the logarithm.
double lognormal(orrery::RandomStream& rng, double mu, double sigma);

/// log(k!) for k ≥ 0, to about 1e-15 relative (exact sums below 16, Stirling's
/// series above). Thread-safe, unlike lgamma (which writes the global signgam).
double log_factorial(std::int64_t k);

/// Binomial(n, p) exactly, by inversion of one uniform: the pmf is summed
/// outwards from the mode, taking the more probable neighbour first, so the
/// expected cost is O(sqrt(n p (1 - p))) pmf updates. p ≤ 0 gives 0, p ≥ 1
/// gives n. Throws orrery::Error for n < 0 or NaN p.
std::int64_t binomial(orrery::RandomStream& rng, std::int64_t n, double p);

}  // namespace orrery::sbibm
