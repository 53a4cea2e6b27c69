// nde.mdn: conditional mixture density network with full covariances
// (Bishop 1994; sbi's defaults). The model is in mdn_model.hpp.
#pragma once

#include "neural_estimator.hpp"
#include "mdn_model.hpp"
#include "orrery/schema.hpp"

namespace orrery::nde {

class MixtureDensityNetwork final : public NeuralEstimator {
 public:
  static Schema options();
  explicit MixtureDensityNetwork(Context& ctx);

 protected:
  [[nodiscard]] std::unique_ptr<ConditionalModel> make_model(Eigen::Index dim_a, Eigen::Index dim_b,
                                                             RandomStream& rng) const override;

 private:
  MdnArchitecture arch_;
};

}  // namespace orrery::nde
