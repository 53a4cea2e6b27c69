#include "amortized_npe.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>

#include <orrery/error.hpp>

namespace orrery::sbi {

bool AmortizedNpe::simulate(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta, Eigen::VectorXd& data) const {
  inputs_.prior->initial_point(rng, theta);
  Eigen::VectorXd full(static_cast<Eigen::Index>(inputs_.map.full_dimension()));
  inputs_.map.to_full(theta, full);
  data.resize(static_cast<Eigen::Index>(inputs_.simulator->output_size()));
  try {
    inputs_.simulator->simulate(full, rng, data);
  } catch (const std::exception&) {
    return false;
  }
  return data.allFinite();
}

Eigen::VectorXd AmortizedNpe::condition(const Eigen::Ref<const Eigen::VectorXd>& data) const {
  if (static_cast<std::size_t>(data.size()) != inputs_.simulator->output_size())
    throw Error("sbi.npe: a data set of " + std::to_string(data.size()) + " values, but the simulator's output has " +
                std::to_string(inputs_.simulator->output_size()));
  if (inputs_.compressor == nullptr) return data;
  Eigen::VectorXd summary(static_cast<Eigen::Index>(inputs_.compressor->summary_size()));
  inputs_.compressor->compress(data, summary);
  return summary;
}

void AmortizedNpe::sample(const Eigen::Ref<const Eigen::VectorXd>& data, RandomStream& rng,
                          Eigen::Ref<Eigen::MatrixXd> out) const {
  const Eigen::VectorXd b = condition(data);
  const Eigen::Index n = out.cols();
  const auto cap = static_cast<Eigen::Index>(std::ceil(max_draws_per_sample_ * static_cast<double>(n)));
  Eigen::MatrixXd batch(out.rows(), std::max<Eigen::Index>(n, 16));
  Eigen::Index kept = 0, drawn = 0;
  while (kept < n) {
    if (drawn >= cap)
      throw Error("sbi.npe: only " + std::to_string(kept) + " of " + std::to_string(drawn) +
                  " draws from the learned posterior fell inside the prior's support, short of " + std::to_string(n) +
                  " (leakage; raise max_draws_per_sample or train on more simulations)");
    inputs_.estimator->sample(b, rng, batch);
    for (Eigen::Index j = 0; j < batch.cols() && kept < n && drawn < cap; ++j, ++drawn)
      if (batch.col(j).allFinite() && std::isfinite(inputs_.prior->log_density(batch.col(j))))
        out.col(kept++) = batch.col(j);
  }
}

void AmortizedNpe::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& thetas,
                            const Eigen::Ref<const Eigen::VectorXd>& data, Eigen::Ref<Eigen::VectorXd> out) const {
  const Eigen::VectorXd b = condition(data);
  Eigen::MatrixXd bs(b.size(), thetas.cols());
  bs.colwise() = b;
  inputs_.estimator->log_prob(thetas, bs, out);
}

}  // namespace orrery::sbi
