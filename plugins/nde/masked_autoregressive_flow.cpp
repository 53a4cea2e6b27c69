#include "masked_autoregressive_flow.hpp"

#include "activation_option.hpp"

namespace orrery::nde {

Schema MaskedAutoregressiveFlow::options() {
  using namespace orrery::option;
  Schema schema{integer("transforms").default_value(5).min(1).doc("conditional MADE transforms in the stack"),
                integer("hidden").default_value(50).min(1).doc("units per hidden layer of each MADE"),
                integer("layers").default_value(2).min(1).doc("hidden layers per MADE"),
                activation_option("tanh")};
  for (OptionSpec& spec : TrainingOptions::schema()) schema.push_back(std::move(spec));
  return schema;
}

MaskedAutoregressiveFlow::MaskedAutoregressiveFlow(Context& ctx)
    : NeuralEstimator("maf", TrainingOptions::read(ctx.options()), ctx) {
  const Options& o = ctx.options();
  arch_.transforms = o.integer("transforms");
  arch_.hidden = o.integer("hidden");
  arch_.layers = o.integer("layers");
  arch_.activation = read_activation(o);
}

MafArchitecture MaskedAutoregressiveFlow::architecture(Eigen::Index dim_a, Eigen::Index dim_b) const {
  MafArchitecture arch = arch_;
  arch.dim_a = dim_a;
  arch.dim_b = dim_b;
  return arch;
}

}  // namespace orrery::nde
