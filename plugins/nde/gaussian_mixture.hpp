// nde.gmm: the classical baseline. A full-covariance Gaussian mixture is
// fitted by EM (Armadillo's gmm_full, gmm_em.hpp) to the joint vectors
// x = (a, b), after z-scoring each coordinate, and conditioned analytically:
//
//   q(a | b) = p(a, b) / p(b) = Σ_k s_k(b) N(a; m_k(b), C_k),
//   s_k(b) ∝ π_k N(b; μ_b,k, Σ_bb,k),
//   m_k(b) = μ_a,k + Σ_ab,k Σ_bb,k⁻¹ (b − μ_b,k),
//   C_k    = Σ_aa,k − Σ_ab,k Σ_bb,k⁻¹ Σ_ba,k.
//
// log_prob evaluates log p(a, b) − log p(b) (two log-sum-exps), which equals
// the conditional mixture above and makes the gradients short:
//   ∇ log p(x) = −Σ_k r_k(x) Σ_k⁻¹ (x − μ_k),  r_k = posterior responsibility,
//   ∇_b log p(b) likewise with the marginal components, subtracted from the b part.
// Sampling uses the conditional form (pick k with s_k(b), then m_k + chol(C_k) z).
// Everything is stored in the original units (the z-scoring is undone on the
// fitted parameters), so there is no Jacobian term. Saved as gmm.txt (text,
// %.17g, written to a temporary name then renamed). Thread-safe once fitted.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <vector>

#include "gmm_em.hpp"
#include "orrery/context.hpp"
#include "orrery/density_estimator.hpp"
#include "orrery/schema.hpp"

namespace orrery::nde {

/// The mixture q(a | b) for one b (weights s_k, means m_k, covariances C_k).
struct ConditionalMixture {
  Eigen::VectorXd weights;
  std::vector<Eigen::VectorXd> means;
  std::vector<Eigen::MatrixXd> covariances;
};

class GaussianMixture final : public DensityEstimator {
 public:
  static Schema options();
  explicit GaussianMixture(Context& ctx);

  void fit(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
           Context& ctx) override;
  [[nodiscard]] bool fitted() const override { return !parts_.empty(); }
  [[nodiscard]] std::size_t dim_a() const override { return static_cast<std::size_t>(dim_a_); }
  [[nodiscard]] std::size_t dim_b() const override { return static_cast<std::size_t>(dim_b_); }

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

  /// The fitted joint mixture over (a, b), original units.
  [[nodiscard]] const JointMixture& joint() const { return joint_; }
  /// q(· | b) as an explicit mixture.
  [[nodiscard]] ConditionalMixture conditional(const Eigen::Ref<const Eigen::VectorXd>& b) const;

 private:
  // Per-component quantities derived from joint_ (recomputed identically by load()).
  struct Part {
    Eigen::LLT<Eigen::MatrixXd> joint_chol;      // of Σ_k
    double joint_log_norm = 0.0;                 // log π_k − ½ D log 2π − ½ log det Σ_k
    Eigen::LLT<Eigen::MatrixXd> marginal_chol;   // of Σ_bb,k (unused when dim_b = 0)
    double marginal_log_norm = 0.0;              // log π_k − ½ B log 2π − ½ log det Σ_bb,k
    Eigen::MatrixXd regression;                  // Σ_ab,k Σ_bb,k⁻¹ (dim_a × dim_b)
    Eigen::MatrixXd conditional_factor;          // lower Cholesky factor of C_k
  };
  static std::vector<Part> derive(const JointMixture& joint, Eigen::Index dim_a, Eigen::Index dim_b);
  void require_fitted(const char* what) const;
  void check_batch(const char* what, Eigen::Index a_rows, Eigen::Index b_rows, Eigen::Index a_cols,
                   Eigen::Index b_cols) const;
  // log p(a, b) − log p(b) for one pair; fills the gradients when given.
  double evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const;
  // log s_k(b) (unnormalised: π_k N(b; ...)) for every k.
  void marginal_terms(const Eigen::Ref<const Eigen::VectorXd>& b, Eigen::VectorXd& terms) const;

  EmSettings settings_;
  Eigen::Index dim_a_ = 0, dim_b_ = 0;
  JointMixture joint_;
  std::vector<Part> parts_;
};

}  // namespace orrery::nde
