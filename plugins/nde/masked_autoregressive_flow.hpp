// nde.maf: conditional masked autoregressive flow (Papamakarios et al. 2017;
// sbi's defaults), with affine transforms (default) or rational-quadratic
// spline transforms (`transform = "spline"`, `bins`, `tail_bound`: a neural
// spline flow, Durkan et al. 2019). The model is in maf_model.hpp.
#pragma once

#include "maf_model.hpp"
#include "neural_estimator.hpp"
#include "orrery/schema.hpp"

namespace orrery::nde {

class MaskedAutoregressiveFlow final : public NeuralEstimator {
 public:
  static Schema options();
  explicit MaskedAutoregressiveFlow(Context& ctx);

 protected:
  [[nodiscard]] std::unique_ptr<ConditionalModel<float>> make_float(Eigen::Index dim_a, Eigen::Index dim_b,
                                                                    RandomStream& rng) const override {
    return std::make_unique<MafModel<float>>(architecture(dim_a, dim_b), rng);
  }
  [[nodiscard]] std::unique_ptr<ConditionalModel<double>> make_double(Eigen::Index dim_a, Eigen::Index dim_b,
                                                                      RandomStream& rng) const override {
    return std::make_unique<MafModel<double>>(architecture(dim_a, dim_b), rng);
  }

 private:
  [[nodiscard]] MafArchitecture architecture(Eigen::Index dim_a, Eigen::Index dim_b) const;
  MafArchitecture arch_;
};

}  // namespace orrery::nde
