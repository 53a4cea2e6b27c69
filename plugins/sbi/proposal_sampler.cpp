#include "proposal_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include <orrery/error.hpp>

namespace orrery::sbi {

namespace {

constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

/// Per-chunk buffers: chunk c of a fixed partition is only ever evaluated by one thread at a time.
struct ChunkScratch {
  Eigen::MatrixXd u, x;
  Eigen::VectorXd log_jacobian, log_prior, log_l, log_p, factor;
};

}  // namespace

ProposalSampler::ProposalSampler(const Target& prior, ProposalSettings settings)
    : prior_(prior), unconstrained_(prior), settings_(settings) {
  const std::size_t d = prior.space().dimension();
  if (settings_.walkers < std::max<std::size_t>(4, 2 * d))
    throw Error("the proposal ensemble needs at least max(4, 2 × " + std::to_string(d) +
                " free parameters) walkers, got " + std::to_string(settings_.walkers));
  if (settings_.candidates < settings_.walkers)
    throw Error("the proposal's SIR initialisation needs at least as many candidates (" +
                std::to_string(settings_.candidates) + ") as walkers (" + std::to_string(settings_.walkers) + ")");
  if (settings_.thin < 1) throw Error("the proposal's thinning must be at least 1");
  if (!(settings_.stretch_scale > 1.0)) throw Error("the stretch move's scale must exceed 1");
}

Eigen::MatrixXd ProposalSampler::sample(const BatchLogLikelihood& log_likelihood, std::size_t n,
                                        const RandomStream& base, Executor& executor,
                                        ProposalDiagnostics& diag) const {
  const auto d = static_cast<Eigen::Index>(prior_.space().dimension());
  const auto walkers = static_cast<Eigen::Index>(settings_.walkers);
  const auto m = static_cast<Eigen::Index>(settings_.candidates);
  diag = ProposalDiagnostics{};
  diag.walkers = settings_.walkers;
  diag.candidates = settings_.candidates;

  // log p(θ(u)) + log L̂(θ(u)) + log|dθ/du| of the columns of s.u (len columns), into s.log_p.
  auto evaluate = [&](ChunkScratch& s, Eigen::Index len) {
    s.x.resize(d, len);
    s.log_jacobian.resize(len);
    s.log_prior.resize(len);
    s.log_l.resize(len);
    s.log_p.resize(len);
    for (Eigen::Index j = 0; j < len; ++j) {
      s.log_jacobian[j] = unconstrained_.to_constrained(s.u.col(j), s.x.col(j));
      s.log_prior[j] = std::isfinite(s.log_jacobian[j]) ? prior_.log_density(s.x.col(j)) : kMinusInf;
    }
    log_likelihood(s.x.leftCols(len), s.log_l);
    for (Eigen::Index j = 0; j < len; ++j) {
      const double v = s.log_prior[j] + s.log_l[j] + s.log_jacobian[j];
      s.log_p[j] = std::isfinite(s.log_prior[j]) && std::isfinite(v) ? v : kMinusInf;
    }
  };

  // 1. Candidates from the prior, weighted by L̂; Gumbel keys for sampling without replacement.
  Eigen::MatrixXd candidates(d, m);
  Eigen::VectorXd log_w(m), key(m);
  {
    const RandomStream cand_base = base.split("candidates");
    const auto chunks = static_cast<std::size_t>((m + kChunk - 1) / kChunk);
    std::vector<ChunkScratch> scratch(chunks);
    executor.parallel_for(chunks, [&](std::size_t c) {
      const Eigen::Index start = static_cast<Eigen::Index>(c) * kChunk, len = std::min(kChunk, m - start);
      ChunkScratch& s = scratch[c];
      s.u.resize(d, len);
      Eigen::VectorXd gumbel(len);
      for (Eigen::Index j = 0; j < len; ++j) {
        const RandomStream item = cand_base.split(static_cast<std::uint64_t>(start + j));
        RandomStream theta_rng = item.split(0), key_rng = item.split(1);
        prior_.initial_point(theta_rng, candidates.col(start + j));
        unconstrained_.to_unconstrained(candidates.col(start + j), s.u.col(j));
        gumbel[j] = -std::log(-std::log(key_rng.uniform_open()));
      }
      evaluate(s, len);
      for (Eigen::Index j = 0; j < len; ++j) {
        const bool ok = s.u.col(j).allFinite() && std::isfinite(s.log_p[j]);
        log_w[start + j] = ok ? s.log_l[j] : kMinusInf;
        key[start + j] = ok ? s.log_l[j] + gumbel[j] : kMinusInf;
      }
    });
  }
  diag.evaluations += static_cast<std::uint64_t>(m);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(m));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  for (Eigen::Index i = 0; i < m; ++i) diag.finite_candidates += std::isfinite(key[i]) ? 1 : 0;
  if (diag.finite_candidates < settings_.walkers)
    throw Error("only " + std::to_string(diag.finite_candidates) + " of " + std::to_string(m) +
                " prior draws have a finite posterior density under the current likelihood estimate, fewer than the " +
                std::to_string(walkers) + " walkers of the proposal ensemble; raise proposal_candidates");
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return key[a] > key[b]; });
  {
    const double top = log_w.maxCoeff();
    double sum = 0.0, sum2 = 0.0;
    for (Eigen::Index i = 0; i < m; ++i)
      if (std::isfinite(log_w[i])) {
        const double w = std::exp(log_w[i] - top);
        sum += w;
        sum2 += w * w;
      }
    diag.sir_ess = sum * sum / sum2;
  }

  // 2. The walkers: positions in u, their log-densities and streams.
  Eigen::MatrixXd position(d, walkers);
  Eigen::VectorXd log_p(walkers);
  std::vector<RandomStream> rng;
  rng.reserve(settings_.walkers);
  const RandomStream walker_base = base.split("walkers");
  for (Eigen::Index k = 0; k < walkers; ++k) {
    unconstrained_.to_unconstrained(candidates.col(order[static_cast<std::size_t>(k)]), position.col(k));
    rng.push_back(walker_base.split(static_cast<std::uint64_t>(k)));
  }
  // Halves: the even walkers, then the odd ones; each chunk holds walkers of one half.
  std::vector<std::vector<Eigen::Index>> half(2);
  for (Eigen::Index k = 0; k < walkers; ++k) half[static_cast<std::size_t>(k % 2)].push_back(k);
  const auto chunks_of = [](std::size_t size) { return (size + kChunk - 1) / kChunk; };
  std::vector<ChunkScratch> scratch(std::max(chunks_of(half[0].size()), chunks_of(half[1].size())));
  {
    const auto chunks = static_cast<std::size_t>((walkers + kChunk - 1) / kChunk);
    std::vector<ChunkScratch> init(chunks);
    executor.parallel_for(chunks, [&](std::size_t c) {
      const Eigen::Index start = static_cast<Eigen::Index>(c) * kChunk, len = std::min(kChunk, walkers - start);
      init[c].u = position.middleCols(start, len);
      evaluate(init[c], len);
      log_p.segment(start, len) = init[c].log_p;
    });
    diag.evaluations += static_cast<std::uint64_t>(walkers);
  }

  // 3. Warm-up, then a record of every walker every `thin` steps.
  const std::size_t records = (n + settings_.walkers - 1) / settings_.walkers;
  const std::size_t steps = settings_.warmup + records * settings_.thin;
  diag.steps = steps;
  Eigen::MatrixXd draws(d, static_cast<Eigen::Index>(n));
  std::vector<std::uint64_t> accepted_warmup(settings_.walkers, 0), accepted(settings_.walkers, 0),
      nonfinite(settings_.walkers, 0);
  const double a = settings_.stretch_scale;
  for (std::size_t step = 1; step <= steps; ++step) {
    const bool warming = step <= settings_.warmup;
    for (std::size_t h = 0; h < 2; ++h) {
      const std::vector<Eigen::Index>& active = half[h];
      const std::vector<Eigen::Index>& complement = half[1 - h];
      const auto size = static_cast<Eigen::Index>(active.size());
      executor.parallel_for(chunks_of(active.size()), [&](std::size_t c) {
        const Eigen::Index start = static_cast<Eigen::Index>(c) * kChunk, len = std::min(kChunk, size - start);
        ChunkScratch& s = scratch[c];
        s.u.resize(d, len);
        s.factor.resize(len);
        for (Eigen::Index j = 0; j < len; ++j) {
          const Eigen::Index k = active[static_cast<std::size_t>(start + j)];
          RandomStream& r = rng[static_cast<std::size_t>(k)];
          const Eigen::Index other = complement[r.below(complement.size())];
          // Inverse CDF of g(z) ∝ 1/√z on [1/a, a].
          const double root = (a - 1.0) * r.uniform() + 1.0;
          const double z = root * root / a;
          s.u.col(j) = position.col(other) + z * (position.col(k) - position.col(other));
          s.factor[j] = static_cast<double>(d - 1) * std::log(z);
        }
        evaluate(s, len);
        for (Eigen::Index j = 0; j < len; ++j) {
          const Eigen::Index k = active[static_cast<std::size_t>(start + j)];
          const auto slot = static_cast<std::size_t>(k);
          if (!std::isfinite(s.log_p[j])) ++nonfinite[slot];
          const double log_u = std::log(rng[slot].uniform_open());
          if (std::isfinite(s.log_p[j]) && log_u < s.factor[j] + s.log_p[j] - log_p[k]) {
            position.col(k) = s.u.col(j);
            log_p[k] = s.log_p[j];
            ++(warming ? accepted_warmup : accepted)[slot];
          }
        }
      });
    }
    diag.evaluations += static_cast<std::uint64_t>(walkers);
    if (!warming && (step - settings_.warmup) % settings_.thin == 0) {
      const std::size_t record = (step - settings_.warmup) / settings_.thin - 1;
      for (Eigen::Index k = 0; k < walkers; ++k) {
        const std::size_t index = record * settings_.walkers + static_cast<std::size_t>(k);
        if (index < n) unconstrained_.to_constrained(position.col(k), draws.col(static_cast<Eigen::Index>(index)));
      }
    }
  }

  const auto total = [](const std::vector<std::uint64_t>& v) { return std::accumulate(v.begin(), v.end(), std::uint64_t{0}); };
  const double per_step = static_cast<double>(settings_.walkers);
  diag.warmup_acceptance =
      settings_.warmup > 0 ? static_cast<double>(total(accepted_warmup)) / (per_step * static_cast<double>(settings_.warmup)) : 0.0;
  const std::size_t kept_steps = steps - settings_.warmup;
  diag.acceptance = kept_steps > 0 ? static_cast<double>(total(accepted)) / (per_step * static_cast<double>(kept_steps)) : 0.0;
  diag.stuck_walkers = kept_steps > 0 ? static_cast<std::size_t>(std::count(accepted.begin(), accepted.end(), 0)) : 0;
  diag.nonfinite = total(nonfinite);
  return draws;
}

}  // namespace orrery::sbi
