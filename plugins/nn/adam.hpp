// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), with optional
// global gradient-norm clipping and a learning-rate schedule.
//
// Per step t (1-based), for each parameter θ with gradient g:
//   g ← g · min(1, clip_norm / ‖g_all‖)       (if clip_norm > 0; ‖·‖ over ALL parameters)
//   Adam:  g ← g + λ θ                          (L2 penalty folded into the gradient)
//   AdamW: θ ← θ (1 − η λ)                      (decoupled decay, not scaled by the moments)
//   m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²
//   θ ← θ − η · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)
// with η = schedule(t − 1) if a schedule is set, else options.learning_rate.
// The optimiser keeps views of the parameters and gradients: the model must
// outlive it. step() does not zero the gradients.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/layer.hpp"
#include "nn/schedule.hpp"

namespace orrery::nn {

struct AdamOptions {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 0.0;  ///< λ: an L2 penalty for Adam, decoupled decay for AdamW
  double clip_norm = 0.0;     ///< maximum global gradient norm; 0 disables clipping
};

/// Scales all `gradients` together so their global L2 norm is at most
/// `max_norm` (> 0); returns the norm before clipping.
template <typename T>
double clip_grad_norm(FlatViews<T>& gradients, double max_norm);

/// The global L2 norm of all `gradients`, accumulated in double.
template <typename T>
double global_norm(const FlatViews<T>& gradients);

template <typename T = float>
class Adam {
 public:
  /// Optimises all of `model`'s parameters. Throws orrery::Error for invalid options.
  explicit Adam(Layer<T>& model, AdamOptions options = {});
  /// Optimises `parameters` with `gradients` (same order and sizes).
  Adam(FlatViews<T> parameters, FlatViews<T> gradients, AdamOptions options = {});
  virtual ~Adam() = default;

  void set_schedule(LearningRateSchedule schedule) { schedule_ = std::move(schedule); }
  /// One update from the current gradients; returns the global gradient norm before clipping.
  /// Throws orrery::Error, leaving the parameters unchanged, if that norm is not finite.
  double step();

  /// Steps taken so far.
  [[nodiscard]] std::int64_t steps() const { return steps_; }
  /// The learning rate the next step will use.
  [[nodiscard]] double learning_rate() const;
  [[nodiscard]] const AdamOptions& options() const { return options_; }

  /// Visits the state a checkpoint must keep (the options and schedule are the
  /// caller's): f(steps) with a std::int64_t&, then f(m_i) for every first
  /// moment, then f(v_i) for every second moment (Eigen column vectors, one per
  /// parameter tensor). Works with StateWriter and StateReader; a reader may
  /// resize the moments, so check their sizes against the parameters afterwards.
  template <typename F>
  void visit_state(F&& f) {
    f(steps_);
    for (auto& m : m_) f(m);
    for (auto& v : v_) f(v);
  }

 protected:
  Adam(FlatViews<T> parameters, FlatViews<T> gradients, AdamOptions options, bool decoupled);

 private:
  FlatViews<T> parameters_, gradients_;
  std::vector<Eigen::Matrix<T, Eigen::Dynamic, 1>> m_, v_;
  AdamOptions options_;
  bool decoupled_;
  LearningRateSchedule schedule_;
  std::int64_t steps_ = 0;
};

/// Adam with decoupled weight decay; weight_decay defaults to 0.01 as in PyTorch.
template <typename T = float>
class AdamW final : public Adam<T> {
 public:
  static AdamOptions default_options() {
    AdamOptions o;
    o.weight_decay = 0.01;
    return o;
  }
  explicit AdamW(Layer<T>& model, AdamOptions options = default_options());
  AdamW(FlatViews<T> parameters, FlatViews<T> gradients, AdamOptions options = default_options());
};

extern template class Adam<float>;
extern template class Adam<double>;
extern template class AdamW<float>;
extern template class AdamW<double>;
extern template double clip_grad_norm<float>(FlatViews<float>&, double);
extern template double clip_grad_norm<double>(FlatViews<double>&, double);
extern template double global_norm<float>(const FlatViews<float>&);
extern template double global_norm<double>(const FlatViews<double>&);

}  // namespace orrery::nn
