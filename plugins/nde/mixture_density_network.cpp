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
    : NeuralEstimator("mdn", TrainingOptions::read(ctx.options())) {
  const Options& o = ctx.options();
  arch_.components = o.integer("components");
  arch_.hidden = o.integer("hidden");
  arch_.layers = o.integer("layers");
  arch_.activation = read_activation(o);
}

std::unique_ptr<ConditionalModel> MixtureDensityNetwork::make_model(Eigen::Index dim_a, Eigen::Index dim_b,
                                                                    RandomStream& rng) const {
  if (dim_b == 0) throw Error("nde.mdn: needs at least one conditioning variable (dim_b = 0)");
  MdnArchitecture arch = arch_;
  arch.dim_a = dim_a;
  arch.dim_b = dim_b;
  return std::make_unique<MdnModel>(arch, rng);
}

}  // namespace orrery::nde
