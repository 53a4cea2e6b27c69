#include "neural_posterior.hpp"

#include <cmath>
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <orrery/error.hpp>

namespace orrery::sbi {

namespace {

std::string fixed(double v, const char* format = "%.4g") {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

Schema NeuralPosteriorSampler::options() {
  using namespace orrery::option;
  Schema schema = common_options(10000);
  schema.push_back(integer("samples").default_value(10000).min(1).doc("posterior draws to return, all inside the prior's support"));
  schema.push_back(real("max_draws_per_sample")
                       .default_value(100.0)
                       .min(1.0)
                       .doc("stop with an error when samples × this many draws from q(θ | x_obs) did not give "
                            "`samples` draws inside the prior's support"));
  return schema;
}

NeuralPosteriorSampler::NeuralPosteriorSampler(Context& ctx)
    : inputs_(read_inputs(ctx)),
      raw_observation_(read_observations(ctx, inputs_, 1)),
      posterior_(*inputs_.estimator, *inputs_.prior),
      samples_(static_cast<std::size_t>(ctx.options().integer("samples"))),
      max_draws_per_sample_(ctx.options().real("max_draws_per_sample")),
      amortized_(inputs_, max_draws_per_sample_) {
  if (!std::isfinite(max_draws_per_sample_)) ctx.options().error("max_draws_per_sample", "must be finite");
}

void NeuralPosteriorSampler::prepare(Context& ctx) {
  const Eigen::MatrixXd observed = compress_columns(inputs_, raw_observation_, ctx.executor());
  if (!observed.allFinite()) throw Error("the compressor returned non-finite summaries of the observation");
  training_ = prepare_estimator(inputs_, Role::posterior, ctx);
  posterior_.set_observation(observed.col(0));
  prepared_ = true;
}

void* NeuralPosteriorSampler::extension(std::string_view name) {
  if (name == kAmortizedPosteriorExtension && prepared_) return static_cast<AmortizedPosterior*>(&amortized_);
  return nullptr;
}

SampleSet NeuralPosteriorSampler::run(Context& ctx) {
  if (!prepared_) throw Error("sbi.npe: run() before prepare()");
  const auto dim = static_cast<Eigen::Index>(inputs_.map.free_dimension());
  const auto cap = static_cast<std::uint64_t>(std::ceil(max_draws_per_sample_ * static_cast<double>(samples_)));
  const RandomStream base = ctx.rng().split("posterior draws");

  Eigen::MatrixXd kept(dim, static_cast<Eigen::Index>(samples_));
  Eigen::Index n_kept = 0;
  std::uint64_t drawn = 0, accepted = 0, batch_index = 0;
  std::vector<Eigen::MatrixXd> batches(kBatchesPerRound, Eigen::MatrixXd(dim, kBatchSize));
  std::vector<std::vector<char>> inside(kBatchesPerRound, std::vector<char>(kBatchSize, 0));
  {
    const auto progress = ctx.progress("posterior draws", samples_);
    while (static_cast<std::size_t>(n_kept) < samples_ && drawn < cap) {
      ctx.executor().parallel_for(kBatchesPerRound, [&](std::size_t t) {
        RandomStream rng = base.split(batch_index + t);
        posterior_.sample(rng, batches[t]);
        for (Eigen::Index j = 0; j < kBatchSize; ++j)
          inside[t][static_cast<std::size_t>(j)] = batches[t].col(j).allFinite() && posterior_.in_support(batches[t].col(j));
      });
      batch_index += kBatchesPerRound;
      const Eigen::Index before = n_kept;
      for (std::size_t t = 0; t < kBatchesPerRound && drawn < cap; ++t)
        for (Eigen::Index j = 0; j < kBatchSize && drawn < cap; ++j) {
          ++drawn;
          if (!inside[t][static_cast<std::size_t>(j)]) continue;
          ++accepted;
          if (static_cast<std::size_t>(n_kept) < samples_) kept.col(n_kept++) = batches[t].col(j);
        }
      progress->advance(static_cast<std::uint64_t>(n_kept - before));
      progress->status("acceptance " + fixed(static_cast<double>(accepted) / static_cast<double>(drawn), "%.3f"));
    }
  }
  const double acceptance = drawn > 0 ? static_cast<double>(accepted) / static_cast<double>(drawn) : 0.0;
  if (static_cast<std::size_t>(n_kept) < samples_)
    throw Error("only " + std::to_string(accepted) + " of " + std::to_string(drawn) +
                " draws from the learned posterior fell inside the prior's support (acceptance " + fixed(acceptance) +
                "), short of samples = " + std::to_string(samples_) + " within max_draws_per_sample × samples = " +
                std::to_string(cap) +
                " draws: the estimator puts almost all its mass outside the prior (leakage); train it on more "
                "simulations or raise max_draws_per_sample");
  if (acceptance < kLeakageWarning)
    ctx.logger().warn("only " + fixed(100.0 * acceptance, "%.3g") + " % of the draws from q(θ | x_obs) fell inside the prior's support (" +
                      std::to_string(accepted) + " of " + std::to_string(drawn) +
                      "): the learned posterior leaks most of its mass outside the prior; more simulations usually help");
  else
    ctx.logger().info("rejection step kept " + std::to_string(accepted) + " of " + std::to_string(drawn) +
                      " draws inside the prior's support (acceptance " + fixed(acceptance) + ")");

  Chain chain;
  chain.draws = kept.transpose();
  chain.log_density.resize(n_kept);
  // log q of the kept draws, in chunks so large sets are evaluated in parallel.
  const Eigen::Index chunk = kBatchSize;
  const auto chunks = static_cast<std::size_t>((n_kept + chunk - 1) / chunk);
  ctx.executor().parallel_for(chunks, [&](std::size_t c) {
    const Eigen::Index start = static_cast<Eigen::Index>(c) * chunk, len = std::min(chunk, n_kept - start);
    posterior_.log_q(kept.middleCols(start, len), chain.log_density.segment(start, len));
  });
  // Leakage correction (as sbi's): the draws come from q restricted to the
  // prior's support, whose density is q / P_q(support); the rejection step's
  // acceptance is the Monte Carlo estimate of P_q(support), from `drawn` draws.
  chain.log_density.array() -= std::log(acceptance);
  chain.evaluations = drawn;
  chain.nonfinite_rejections = drawn - accepted;
  chain.acceptance_rate = acceptance;

  SampleSet set;
  set.chains.push_back(std::move(chain));
  set.statistics = {{"rejection_acceptance", acceptance},
                    {"simulations", static_cast<double>(training_.requested)},
                    {"failed_simulations", static_cast<double>(training_.failed)},
                    {"training_pairs", static_cast<double>(training_.pairs)}};
  return set;
}

}  // namespace orrery::sbi
