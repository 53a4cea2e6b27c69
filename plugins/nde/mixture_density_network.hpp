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
  [[nodiscard]] std::unique_ptr<ConditionalModel<float>> make_float(Eigen::Index dim_a, Eigen::Index dim_b,
                                                                    RandomStream& rng) const override {
    return std::make_unique<MdnModel<float>>(architecture(dim_a, dim_b), rng);
  }
  [[nodiscard]] std::unique_ptr<ConditionalModel<double>> make_double(Eigen::Index dim_a, Eigen::Index dim_b,
                                                                      RandomStream& rng) const override {
    return std::make_unique<MdnModel<double>>(architecture(dim_a, dim_b), rng);
  }

 private:
  [[nodiscard]] MdnArchitecture architecture(Eigen::Index dim_a, Eigen::Index dim_b) const;
  MdnArchitecture arch_;
};

}  // namespace orrery::nde
