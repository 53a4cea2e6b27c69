// nde.maf: conditional masked autoregressive flow (Papamakarios et al. 2017;
// sbi's defaults). The model is in maf_model.hpp.
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
  [[nodiscard]] std::unique_ptr<ConditionalModel> make_model(Eigen::Index dim_a, Eigen::Index dim_b,
                                                             RandomStream& rng) const override;

 private:
  MafArchitecture arch_;
};

}  // namespace orrery::nde
