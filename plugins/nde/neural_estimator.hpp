// NeuralEstimator: the DensityEstimator plumbing shared by nde's network
// estimators; subclasses only say how to build their ConditionalModel, in
// either precision (ModelFactory).
//
// - z-scoring: a and b are standardised with the training pairs' mean and sd
//   (fitted_model.hpp); everything returned is in the original units.
// - fit(): maximum likelihood (training.hpp) from freshly initialised weights,
//   in float32 (default) or float64 (option `precision`), data-parallel on
//   ctx.executor() with results independent of the thread count, checkpointed
//   through the context's CheckpointStore when there is one (a resumed fit
//   ends with the same weights as an uninterrupted one).
// - thread safety: the const evaluations (log_prob, gradient, sample) may run
//   concurrently; each uses its own replica of the network.
// - save()/load(): estimator.txt + network-<i>.bin (estimator_file.hpp).
//   load() refuses a file written for another estimator or architecture
//   (dimensions, sizes, options), naming both. Weights saved in one precision
//   load into the other (converted).
#pragma once

#include <memory>
#include <string>

#include "conditional_model.hpp"
#include "fitted_model.hpp"
#include "orrery/context.hpp"
#include "orrery/density_estimator.hpp"
#include "training.hpp"

namespace orrery::nde {

class NeuralEstimator : public DensityEstimator, protected ModelFactory {
 public:
  void fit(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
           Context& ctx) override;
  [[nodiscard]] bool fitted() const override { return fitted_ != nullptr; }
  [[nodiscard]] std::size_t dim_a() const override {
    return fitted_ ? static_cast<std::size_t>(fitted_->za().mean.size()) : 0;
  }
  [[nodiscard]] std::size_t dim_b() const override {
    return fitted_ ? static_cast<std::size_t>(fitted_->zb().mean.size()) : 0;
  }

  void log_prob(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                Eigen::Ref<Eigen::VectorXd> out) const override;
  void sample(const Eigen::Ref<const Eigen::VectorXd>& b, RandomStream& rng,
              Eigen::Ref<Eigen::MatrixXd> out) const override;
  [[nodiscard]] bool has_gradient() const override { return true; }
  void log_prob_gradient(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                         Eigen::Ref<Eigen::VectorXd> out, Eigen::Ref<Eigen::MatrixXd> grad_a,
                         Eigen::Ref<Eigen::MatrixXd> grad_b) const override;

  void save(const std::filesystem::path& dir) const override;
  void load(const std::filesystem::path& dir) override;

  /// The last fit()'s training summary (zeros before any fit).
  [[nodiscard]] const TrainingReport& training_report() const { return report_; }
  [[nodiscard]] Precision precision() const { return training_.precision; }

 protected:
  /// `ctx` is the component's construction context (it outlives the
  /// component): its executor runs the chunks of large evaluations.
  NeuralEstimator(std::string name, TrainingOptions training, Context& ctx)
      : name_(std::move(name)), training_(training), context_(&ctx) {}

 private:
  template <typename T>
  void fit_as(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b, ZScore za,
              ZScore zb, Context& ctx);
  template <typename T>
  void load_as(const std::filesystem::path& dir, Eigen::Index dim_a, Eigen::Index dim_b,
               const std::string& architecture, std::size_t networks, ZScore za, ZScore zb);
  void require_fitted(const char* what) const;
  void check_batch(const char* what, Eigen::Index a_rows, Eigen::Index b_rows, Eigen::Index a_cols,
                   Eigen::Index b_cols) const;

  std::string name_;  // "mdn" / "maf": written to and checked in files
  TrainingOptions training_;
  Context* context_;
  std::unique_ptr<FittedModel> fitted_;
  TrainingReport report_;
};

}  // namespace orrery::nde
