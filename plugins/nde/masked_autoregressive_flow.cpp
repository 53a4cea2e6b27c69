#include "masked_autoregressive_flow.hpp"

#include <cmath>
#include <string>

#include "activation_option.hpp"

namespace orrery::nde {

Schema MaskedAutoregressiveFlow::options() {
  using namespace orrery::option;
  Schema schema{integer("transforms").default_value(5).min(1).doc("conditional MADE transforms in the stack"),
                integer("hidden").default_value(50).min(1).doc("units per hidden layer of each MADE"),
                integer("layers").default_value(2).min(1).doc("hidden layers per MADE"),
                activation_option("tanh"),
                string("transform").default_value("affine").choices({"affine", "spline"})
                    .doc("affine: z' = (z - mu) exp(-alpha) (MAF); spline: monotone rational-quadratic spline "
                         "(neural spline flow, Durkan et al. 2019)"),
                integer("bins").default_value(10).range(1, 256).doc("spline bins K on [-tail_bound, tail_bound]"),
                real("tail_bound").default_value(5.0).greater_than(0.0)
                    .doc("spline interval half-width B in standardised units; identity outside [-B, B] "
                         "(5, not sbi's 3: measured better on every problem tried, see docs/plugins/nde.md)")};
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
  arch_.transform = o.string("transform") == "spline" ? MafTransform::spline : MafTransform::affine;
  arch_.bins = o.integer("bins");
  arch_.tail_bound = o.real("tail_bound");
  if (!std::isfinite(arch_.tail_bound))
    o.error("tail_bound", "expected a finite tail bound, found " + std::to_string(arch_.tail_bound));
}

MafArchitecture MaskedAutoregressiveFlow::architecture(Eigen::Index dim_a, Eigen::Index dim_b) const {
  MafArchitecture arch = arch_;
  arch.dim_a = dim_a;
  arch.dim_b = dim_b;
  return arch;
}

}  // namespace orrery::nde
