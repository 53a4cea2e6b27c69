// FittedModel: a trained ConditionalModel together with its z-scoring,
// evaluated in original units, safe to call from any number of threads.
//
// - Units: log q(a | b) = log q'(a' | b') − Σ log sd_a with a' = (a − mean_a)/sd_a
//   (and b likewise); gradients are divided by sd_a and sd_b.
// - Threads: the trained model is never evaluated directly; each call leases a
//   replica (a copy of its weights) from a pool, so concurrent callers (parallel
//   chains) never share layer caches and never wait on each other's work.
//   Large batches are cut into fixed chunks (row_chunks.hpp) that run on the
//   executor; rows are independent, so results never depend on the thread count.
// - Precision: the networks run in T (float or double); inputs and results are double.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <Eigen/Core>

#include "conditional_model.hpp"
#include "orrery/random.hpp"
#include "orrery/services.hpp"
#include "zscore.hpp"

namespace orrery::nde {

class FittedModel {
 public:
  virtual ~FittedModel() = default;

  /// Column-major batches (one pair per column), as DensityEstimator takes them.
  virtual void log_prob(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                        Eigen::Ref<Eigen::VectorXd> out) const = 0;
  virtual void log_prob_gradient(const Eigen::Ref<const Eigen::MatrixXd>& a,
                                 const Eigen::Ref<const Eigen::MatrixXd>& b, Eigen::Ref<Eigen::VectorXd> out,
                                 Eigen::Ref<Eigen::MatrixXd> grad_a, Eigen::Ref<Eigen::MatrixXd> grad_b) const = 0;
  /// out.cols() draws of a | b.
  virtual void sample(const Eigen::Ref<const Eigen::VectorXd>& b, RandomStream& rng,
                      Eigen::Ref<Eigen::MatrixXd> out) const = 0;
  /// Writes estimator.txt and the network files (estimator_file.hpp).
  virtual void save(const std::filesystem::path& dir, const std::string& estimator) const = 0;

  [[nodiscard]] const ZScore& za() const { return za_; }
  [[nodiscard]] const ZScore& zb() const { return zb_; }

 protected:
  FittedModel(ZScore za, ZScore zb) : za_(std::move(za)), zb_(std::move(zb)) {}
  ZScore za_, zb_;
};

/// Wraps a trained (or loaded) model. `factory` builds the replicas and must
/// outlive the result, as must `executor` (may be null: the calling thread).
template <typename T>
std::unique_ptr<FittedModel> make_fitted_model(std::unique_ptr<ConditionalModel<T>> model,
                                               const ModelFactory& factory, ZScore za, ZScore zb,
                                               Executor* executor);

extern template std::unique_ptr<FittedModel> make_fitted_model<float>(std::unique_ptr<ConditionalModel<float>>,
                                                                      const ModelFactory&, ZScore, ZScore,
                                                                      Executor*);
extern template std::unique_ptr<FittedModel> make_fitted_model<double>(std::unique_ptr<ConditionalModel<double>>,
                                                                       const ModelFactory&, ZScore, ZScore,
                                                                       Executor*);

}  // namespace orrery::nde
