// NeuralEstimator: the DensityEstimator plumbing shared by nde's network
// estimators; subclasses only say how to build their ConditionalModel.
//
// - z-scoring: a and b are standardised with the training set's mean and sd;
//   log q(a | b) = log q'(a' | b') − Σ log sd_a, and the gradients are divided
//   by sd_a and sd_b, so everything returned is in the original units.
// - fit(): maximum likelihood (training.hpp) from freshly initialised weights.
// - thread safety: the network layers cache their last batch, so the const
//   evaluations (log_prob, gradient, sample) are serialised by a mutex.
// - save()/load(): estimator.txt + network-<i>.bin (estimator_file.hpp).
//   load() refuses a file written for another estimator or architecture
//   (dimensions, sizes, options), naming both.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "conditional_model.hpp"
#include "orrery/context.hpp"
#include "orrery/density_estimator.hpp"
#include "training.hpp"
#include "zscore.hpp"

namespace orrery::nde {

class NeuralEstimator : public DensityEstimator {
 public:
  void fit(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
           Context& ctx) override;
  [[nodiscard]] bool fitted() const override { return model_ != nullptr; }
  [[nodiscard]] std::size_t dim_a() const override { return static_cast<std::size_t>(za_.mean.size()); }
  [[nodiscard]] std::size_t dim_b() const override { return static_cast<std::size_t>(zb_.mean.size()); }

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

 protected:
  NeuralEstimator(std::string name, TrainingOptions training) : name_(std::move(name)), training_(training) {}
  /// A freshly initialised model for these dimensions, from the configured options.
  [[nodiscard]] virtual std::unique_ptr<ConditionalModel> make_model(Eigen::Index dim_a, Eigen::Index dim_b,
                                                                     RandomStream& rng) const = 0;

 private:
  void require_fitted(const char* what) const;
  void check_batch(const char* what, Eigen::Index a_rows, Eigen::Index b_rows, Eigen::Index a_cols,
                   Eigen::Index b_cols) const;
  // Standardised, batch-first copies.
  void standardise(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b, Mat& as,
                   Mat& bs) const;

  std::string name_;  // "mdn" / "maf": written to and checked in files
  TrainingOptions training_;
  std::unique_ptr<ConditionalModel> model_;
  ZScore za_, zb_;
  TrainingReport report_;
  mutable std::mutex mutex_;
};

}  // namespace orrery::nde
