#include "toy_target.hpp"

#include <cmath>
#include <sstream>

namespace orrery::toy {

ToyTarget::ToyTarget(const std::vector<std::string>& names, Eigen::VectorXd exact_mean, Eigen::VectorXd exact_sd)
    : exact_mean_(std::move(exact_mean)), exact_sd_(std::move(exact_sd)) {
  for (const std::string& name : names) {
    orrery::ParameterBlock block;
    block.name = name;
    space_.add(std::move(block));
  }
}

void ToyTarget::uniform_box(orrery::RandomStream& rng, const Eigen::VectorXd& centre,
                            const Eigen::VectorXd& half_width, Eigen::Ref<Eigen::VectorXd> x) {
  for (Eigen::Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(centre[i] - half_width[i], centre[i] + half_width[i]);
}

std::vector<std::string> numbered_names(const std::string& prefix, std::int64_t first, std::int64_t count) {
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) names.push_back(prefix + std::to_string(first + i));
  return names;
}

double finite_option(const orrery::Options& options, std::string_view key) {
  const double value = options.real(key);
  if (!std::isfinite(value)) {
    std::ostringstream found;
    found << value;
    options.error(key, "must be a finite number, found " + found.str());
  }
  return value;
}

}  // namespace orrery::toy
