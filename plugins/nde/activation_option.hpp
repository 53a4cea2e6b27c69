// The "activation" option shared by nde's estimators.
#pragma once

#include <string>

#include "nn/activations.hpp"
#include "orrery/options.hpp"
#include "orrery/schema.hpp"

namespace orrery::nde {

inline OptionSpec activation_option(const std::string& default_name) {
  return option::string("activation")
      .default_value(default_name)
      .choices({"relu", "tanh", "elu", "silu", "softplus"})
      .doc("hidden-layer activation");
}

inline nn::ActivationKind read_activation(const Options& options) {
  const auto kind = nn::activation_from_name(options.string("activation"));
  if (!kind) options.error("activation", "unknown activation '" + options.string("activation") + "'");
  return *kind;
}

}  // namespace orrery::nde
