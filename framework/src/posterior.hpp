// Posterior: the kernel-composed Target "@posterior".
//
// log p(x) = Σ_blocks log prior_b(x_b) + Σ_likelihoods log L(θ(x)), where x
// holds the free parameters and θ(x) is the full parameter vector with fixed
// parameters filled in. A NaN or -infinity likelihood is a rejection: the
// density is -infinity and the event is counted (never an exception).
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include <orrery/likelihood.hpp>
#include <orrery/prior.hpp>
#include <orrery/target.hpp>

namespace orrery::kernel {

class Posterior final : public Target {
 public:
  struct PriorTerm {
    const Prior* prior;
    const ParameterBlock* block;  ///< in the full space
    /// Terms of one group are interchangeable elementwise priors (same plugin,
    /// same options, dimension() 0): adjacent ones are evaluated as one segment.
    std::size_t group;
  };

  /// `full` must outlive the posterior. Every free block needs exactly one
  /// prior term; throws ConfigError otherwise.
  Posterior(const ParameterSpace& full, std::vector<PriorTerm> priors, std::vector<const Likelihood*> likelihoods);

  [[nodiscard]] const ParameterSpace& space() const override { return free_; }
  [[nodiscard]] double log_density(const Eigen::Ref<const Eigen::VectorXd>& x) const override;
  [[nodiscard]] bool has_gradient() const override { return has_gradient_; }
  double log_density_gradient(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> grad) const override;
  void initial_point(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) const override;

  /// Full parameter vector for free vector x (fixed parameters at their values).
  void to_full(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> theta) const;

  /// Names the parameters whose priors are improper (comma-separated), offered
  /// as the orrery.improper_prior/1 extension; empty: every prior is proper.
  void set_improper_parameters(std::string names) { improper_ = std::move(names); }
  void* extension(std::string_view name) override {
    return name == kImproperPriorExtension && !improper_.empty() ? &improper_ : nullptr;
  }

  /// Likelihood evaluations that returned NaN or -infinity so far.
  [[nodiscard]] std::uint64_t nonfinite_likelihoods() const { return nonfinite_.load(); }

 private:
  struct Term {
    const Prior* prior;
    std::size_t free_offset;
    std::size_t full_offset;
    std::size_t size;
  };
  double log_prior(const Eigen::Ref<const Eigen::VectorXd>& x) const;
  /// Σ log L(θ); -infinity (counted) as soon as one is not finite.
  double log_likelihoods(const Eigen::Ref<const Eigen::VectorXd>& theta) const;

  std::string improper_;
  const ParameterSpace& full_;
  ParameterSpace free_;
  std::vector<Term> terms_;
  std::vector<const Likelihood*> likelihoods_;
  Eigen::VectorXd template_;  ///< full vector with fixed values filled in
  bool identity_layout_ = false;  ///< no fixed parameters: x is already the full vector
  bool has_gradient_ = false;
  mutable std::atomic<std::uint64_t> nonfinite_{0};
};

}  // namespace orrery::kernel
