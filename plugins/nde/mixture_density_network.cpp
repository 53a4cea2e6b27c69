#include "mixture_density_network.hpp"

#include "activation_option.hpp"

namespace orrery::nde {

Schema MixtureDensityNetwork::options() {
  using namespace orrery::option;
  Schema schema{integer("components").default_value(10).min(1).doc("mixture components K"),
                integer("hidden").default_value(50).min(1).doc("units per hidden layer"),
                integer("layers").default_value(2).min(1).doc("hidden layers of the MLP on b"),
                activation_option("relu")};
  for (OptionSpec& spec : TrainingOptions::schema()) schema.push_back(std::move(spec));
  return schema;
}

MixtureDensityNetwork::MixtureDensityNetwork(Context& ctx)
    : NeuralEstimator("mdn", TrainingOptions::read(ctx.options()), ctx) {
  const Options& o = ctx.options();
  arch_.components = o.integer("components");
  arch_.hidden = o.integer("hidden");
  arch_.layers = o.integer("layers");
  arch_.activation = read_activation(o);
}

MdnArchitecture MixtureDensityNetwork::architecture(Eigen::Index dim_a, Eigen::Index dim_b) const {
  if (dim_b == 0) throw Error("nde.mdn: needs at least one conditioning variable (dim_b = 0)");
  MdnArchitecture arch = arch_;
  arch.dim_a = dim_a;
  arch.dim_b = dim_b;
  return arch;
}

}  // namespace orrery::nde
