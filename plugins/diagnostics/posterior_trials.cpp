#include "posterior_trials.hpp"

#include <string>

#include "orrery/error.hpp"

namespace orrery::diagnostics {

PosteriorTrials run_posterior_trials(const AmortizedPosterior& posterior, Eigen::Index trials, Eigen::Index draws,
                                     bool with_densities, const RandomStream& rng, Executor& executor,
                                     Progress* progress) {
  constexpr int kMaxAttempts = 100;
  const auto d = static_cast<Eigen::Index>(posterior.space().dimension());
  PosteriorTrials out;
  out.truths.resize(trials, d);
  out.draws.assign(static_cast<std::size_t>(trials), Eigen::MatrixXd());
  if (with_densities) {
    out.log_q_truth.resize(trials);
    out.log_q_draws.resize(trials, draws);
  }
  std::vector<std::size_t> failures(static_cast<std::size_t>(trials), 0);
  executor.parallel_for(static_cast<std::size_t>(trials), [&](std::size_t i) {
    const auto row = static_cast<Eigen::Index>(i);
    RandomStream stream = rng.split(i);
    Eigen::VectorXd theta(d), data;
    int attempts = 0;
    while (!posterior.simulate(stream, theta, data)) {
      ++failures[i];
      if (++attempts == kMaxAttempts)
        throw Error("calibration trial " + std::to_string(i) + ": " + std::to_string(kMaxAttempts) +
                    " simulations in a row failed");
    }
    out.truths.row(row) = theta.transpose();
    Eigen::MatrixXd columns(d, draws);
    posterior.sample(data, stream, columns);
    out.draws[i] = columns.transpose();
    if (with_densities) {
      Eigen::VectorXd lq(1);
      posterior.log_prob(theta, data, lq);
      out.log_q_truth(row) = lq(0);
      Eigen::VectorXd lqd(draws);
      posterior.log_prob(columns, data, lqd);
      out.log_q_draws.row(row) = lqd.transpose();
    }
    if (progress != nullptr) progress->advance(1);
  });
  for (std::size_t f : failures) out.failed_simulations += f;
  return out;
}

}  // namespace orrery::diagnostics
