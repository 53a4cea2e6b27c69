#include "gaussian_mixture.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>
#include <system_error>

#include "orrery/atomic_file.hpp"
#include "orrery/error.hpp"
#include "zscore.hpp"

namespace orrery::nde {

namespace {

constexpr int kGmmFormatVersion = 1;
constexpr const char* kGmmFile = "gmm.txt";

double log_sum_exp(const Eigen::VectorXd& v) {
  const double top = v.maxCoeff();
  if (!std::isfinite(top)) return top;  // all −∞ (or a +∞/NaN that must propagate)
  return top + std::log((v.array() - top).exp().sum());
}

double log_det(const Eigen::LLT<Eigen::MatrixXd>& chol) {
  return 2.0 * chol.matrixLLT().diagonal().array().log().sum();
}

std::string str(Eigen::Index v) { return std::to_string(v); }

}  // namespace

Schema GaussianMixture::options() {
  using namespace orrery::option;
  return {integer("components").default_value(10).min(1).doc("mixture components K of the joint (a, b) mixture"),
          integer("em_iterations").default_value(100).min(1)
              .doc("maximum EM iterations (Armadillo stops earlier once the log-likelihood settles)"),
          integer("kmeans_iterations").default_value(10).min(1).doc("k-means iterations that seed EM"),
          real("variance_floor").default_value(1e-6).greater_than(0.0)
              .doc("smallest variance EM allows, in z-scored units")};
}

GaussianMixture::GaussianMixture(Context& ctx) {
  const Options& o = ctx.options();
  settings_.components = o.integer("components");
  settings_.em_iterations = o.integer("em_iterations");
  settings_.kmeans_iterations = o.integer("kmeans_iterations");
  settings_.variance_floor = o.real("variance_floor");
}

std::vector<GaussianMixture::Part> GaussianMixture::derive(const JointMixture& joint, Eigen::Index dim_a,
                                                           Eigen::Index dim_b) {
  const Eigen::Index d = dim_a + dim_b;
  const double log_2pi = std::log(2.0 * std::numbers::pi);
  std::vector<Part> parts(joint.means.size());
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const Eigen::MatrixXd& cov = joint.covariances[k];
    const double log_weight = std::log(joint.weights(static_cast<Eigen::Index>(k)));
    Part& p = parts[k];
    p.joint_chol.compute(cov);
    if (p.joint_chol.info() != Eigen::Success)
      throw Error("nde.gmm: component " + std::to_string(k) + "'s covariance is not positive definite");
    p.joint_log_norm = log_weight - 0.5 * static_cast<double>(d) * log_2pi - 0.5 * log_det(p.joint_chol);
    if (dim_b > 0) {
      p.marginal_chol.compute(cov.bottomRightCorner(dim_b, dim_b));
      p.marginal_log_norm =
          log_weight - 0.5 * static_cast<double>(dim_b) * log_2pi - 0.5 * log_det(p.marginal_chol);
      // Σ_ab Σ_bb⁻¹ = (Σ_bb⁻¹ Σ_ba)ᵀ, Σ_bb being symmetric.
      p.regression = p.marginal_chol.solve(cov.bottomLeftCorner(dim_b, dim_a)).transpose();
    } else {
      p.regression.resize(dim_a, 0);
    }
    Eigen::MatrixXd conditional = cov.topLeftCorner(dim_a, dim_a);
    if (dim_b > 0) conditional -= p.regression * cov.bottomLeftCorner(dim_b, dim_a);
    // The Schur complement of a positive definite matrix is positive definite;
    // symmetrise away round-off before factoring.
    const Eigen::LLT<Eigen::MatrixXd> chol(0.5 * (conditional + conditional.transpose()));
    if (chol.info() != Eigen::Success)
      throw Error("nde.gmm: component " + std::to_string(k) + "'s conditional covariance is not positive definite");
    p.conditional_factor = chol.matrixL();
  }
  return parts;
}

void GaussianMixture::fit(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                          Context& ctx) {
  if (a.cols() != b.cols() || a.rows() == 0)
    throw Error("nde.gmm: fit needs as many b columns as a columns and dim_a > 0, found a " + str(a.rows()) + "x" +
                str(a.cols()) + " and b " + str(b.rows()) + "x" + str(b.cols()));
  if (!a.allFinite() || !b.allFinite()) throw Error("nde.gmm: fit: the training pairs contain non-finite values");
  Eigen::MatrixXd x(a.rows() + b.rows(), a.cols());
  x.topRows(a.rows()) = a;
  x.bottomRows(b.rows()) = b;
  // EM (and its k-means seeding) works in z-scored coordinates so that one
  // variance floor and one distance suit every variable's scale.
  const ZScore z = ZScore::fit(x);
  const Eigen::MatrixXd xs = ((x.colwise() - z.mean).array().colwise() / z.sd.array()).matrix();
  EmSettings settings = settings_;
  settings.seed = ctx.rng().next();
  JointMixture m = fit_mixture_em(xs, settings);
  const Eigen::MatrixXd scale = z.sd * z.sd.transpose();
  for (std::size_t k = 0; k < m.means.size(); ++k) {
    m.means[k] = z.mean + z.sd.cwiseProduct(m.means[k]);
    m.covariances[k] = m.covariances[k].cwiseProduct(scale);
  }
  parts_ = derive(m, a.rows(), b.rows());
  joint_ = std::move(m);
  dim_a_ = a.rows();
  dim_b_ = b.rows();
  Eigen::VectorXd lp(a.cols());
  log_prob(a, b, lp);
  ctx.logger().info("nde.gmm: " + std::to_string(settings_.components) + " components on " + str(a.cols()) +
                    " pairs, training mean −log q(a|b) " + std::to_string(-lp.mean()));
}

void GaussianMixture::require_fitted(const char* what) const {
  if (!fitted()) throw Error(std::string("nde.gmm: ") + what + " called before fit() or load()");
}

void GaussianMixture::check_batch(const char* what, Eigen::Index a_rows, Eigen::Index b_rows, Eigen::Index a_cols,
                                  Eigen::Index b_cols) const {
  if (a_rows != dim_a_ || b_rows != dim_b_ || a_cols != b_cols)
    throw Error(std::string("nde.gmm: ") + what + ": a is " + str(a_rows) + "x" + str(a_cols) + " and b is " +
                str(b_rows) + "x" + str(b_cols) + ", expected " + str(dim_a_) + "xn and " + str(dim_b_) + "xn");
}

void GaussianMixture::marginal_terms(const Eigen::Ref<const Eigen::VectorXd>& b, Eigen::VectorXd& terms) const {
  terms.resize(static_cast<Eigen::Index>(parts_.size()));
  for (std::size_t k = 0; k < parts_.size(); ++k) {
    const auto i = static_cast<Eigen::Index>(k);
    if (dim_b_ == 0) {
      terms(i) = std::log(joint_.weights(i));
      continue;
    }
    const Eigen::VectorXd z =
        parts_[k].marginal_chol.matrixL().solve(b - joint_.means[k].tail(dim_b_));
    terms(i) = parts_[k].marginal_log_norm - 0.5 * z.squaredNorm();
  }
}

double GaussianMixture::evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  const auto k_count = static_cast<Eigen::Index>(parts_.size());
  Eigen::VectorXd joint_terms(k_count);
  Eigen::MatrixXd joint_grads(x.size(), grad != nullptr ? k_count : 0);
  for (Eigen::Index k = 0; k < k_count; ++k) {
    const Part& p = parts_[static_cast<std::size_t>(k)];
    const Eigen::VectorXd diff = x - joint_.means[static_cast<std::size_t>(k)];
    const Eigen::VectorXd z = p.joint_chol.matrixL().solve(diff);
    joint_terms(k) = p.joint_log_norm - 0.5 * z.squaredNorm();
    if (grad != nullptr) joint_grads.col(k) = -p.joint_chol.matrixU().solve(z);  // −Σ⁻¹ (x − μ)
  }
  const double log_joint = log_sum_exp(joint_terms);
  if (grad != nullptr) *grad = joint_grads * (joint_terms.array() - log_joint).exp().matrix();
  if (dim_b_ == 0) return log_joint;

  const Eigen::VectorXd b = x.tail(dim_b_);
  Eigen::VectorXd marginal(k_count);
  Eigen::MatrixXd marginal_grads(dim_b_, grad != nullptr ? k_count : 0);
  for (Eigen::Index k = 0; k < k_count; ++k) {
    const Part& p = parts_[static_cast<std::size_t>(k)];
    const Eigen::VectorXd z = p.marginal_chol.matrixL().solve(b - joint_.means[static_cast<std::size_t>(k)].tail(dim_b_));
    marginal(k) = p.marginal_log_norm - 0.5 * z.squaredNorm();
    if (grad != nullptr) marginal_grads.col(k) = -p.marginal_chol.matrixU().solve(z);
  }
  const double log_marginal = log_sum_exp(marginal);
  if (grad != nullptr) grad->tail(dim_b_) -= marginal_grads * (marginal.array() - log_marginal).exp().matrix();
  return log_joint - log_marginal;
}

void GaussianMixture::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                               Eigen::Ref<Eigen::VectorXd> out) const {
  require_fitted("log_prob");
  check_batch("log_prob", a.rows(), b.rows(), a.cols(), b.cols());
  Eigen::VectorXd x(dim_a_ + dim_b_);
  for (Eigen::Index i = 0; i < a.cols(); ++i) {
    x.head(dim_a_) = a.col(i);
    x.tail(dim_b_) = b.col(i);
    out(i) = evaluate(x, nullptr);
  }
}

void GaussianMixture::log_prob_gradient(const Eigen::Ref<const Eigen::MatrixXd>& a,
                                        const Eigen::Ref<const Eigen::MatrixXd>& b, Eigen::Ref<Eigen::VectorXd> out,
                                        Eigen::Ref<Eigen::MatrixXd> grad_a, Eigen::Ref<Eigen::MatrixXd> grad_b) const {
  require_fitted("log_prob_gradient");
  check_batch("log_prob_gradient", a.rows(), b.rows(), a.cols(), b.cols());
  Eigen::VectorXd x(dim_a_ + dim_b_), g;
  for (Eigen::Index i = 0; i < a.cols(); ++i) {
    x.head(dim_a_) = a.col(i);
    x.tail(dim_b_) = b.col(i);
    out(i) = evaluate(x, &g);
    grad_a.col(i) = g.head(dim_a_);
    grad_b.col(i) = g.tail(dim_b_);
  }
}

ConditionalMixture GaussianMixture::conditional(const Eigen::Ref<const Eigen::VectorXd>& b) const {
  require_fitted("conditional");
  check_batch("conditional", dim_a_, b.size(), 1, 1);
  ConditionalMixture c;
  marginal_terms(b, c.weights);
  c.weights = (c.weights.array() - log_sum_exp(c.weights)).exp().matrix();
  for (std::size_t k = 0; k < parts_.size(); ++k) {
    const Part& p = parts_[k];
    Eigen::VectorXd m = joint_.means[k].head(dim_a_);
    if (dim_b_ > 0) m += p.regression * (b - joint_.means[k].tail(dim_b_));
    c.means.push_back(std::move(m));
    c.covariances.push_back(p.conditional_factor * p.conditional_factor.transpose());
  }
  return c;
}

void GaussianMixture::sample(const Eigen::Ref<const Eigen::VectorXd>& b, RandomStream& rng,
                             Eigen::Ref<Eigen::MatrixXd> out) const {
  require_fitted("sample");
  check_batch("sample", out.rows(), b.size(), out.cols(), out.cols());
  Eigen::VectorXd terms;
  marginal_terms(b, terms);
  const Eigen::VectorXd weights = (terms.array() - log_sum_exp(terms)).exp().matrix();
  Eigen::VectorXd z(dim_a_);
  for (Eigen::Index i = 0; i < out.cols(); ++i) {
    // Inverse-CDF choice of the component; the last one absorbs round-off.
    double u = rng.uniform();
    std::size_t k = 0;
    while (k + 1 < parts_.size() && u >= weights(static_cast<Eigen::Index>(k))) u -= weights(static_cast<Eigen::Index>(k++));
    for (Eigen::Index j = 0; j < dim_a_; ++j) z(j) = rng.normal();
    const Part& p = parts_[k];
    out.col(i) = joint_.means[k].head(dim_a_) + p.conditional_factor * z;
    if (dim_b_ > 0) out.col(i) += p.regression * (b - joint_.means[k].tail(dim_b_));
  }
}

void GaussianMixture::save(const std::filesystem::path& dir) const {
  require_fitted("save");
  write_file_atomically(dir / kGmmFile, [&](std::ostream& out) {
    out << "orrery-nde-gmm " << kGmmFormatVersion << "\n"
        << "dims " << dim_a_ << " " << dim_b_ << "\n"
        << "components " << parts_.size() << "\n";
    char buffer[32];
    auto put = [&](double v) {
      std::snprintf(buffer, sizeof buffer, " %.17g", v);
      out << buffer;
    };
    // One line per component: weight, mean (D), covariance (D×D, column-major).
    for (std::size_t k = 0; k < parts_.size(); ++k) {
      out << "component";
      put(joint_.weights(static_cast<Eigen::Index>(k)));
      for (Eigen::Index i = 0; i < joint_.means[k].size(); ++i) put(joint_.means[k](i));
      for (Eigen::Index i = 0; i < joint_.covariances[k].size(); ++i) put(joint_.covariances[k].data()[i]);
      out << "\n";
    }
  }, "nde.gmm");
}

void GaussianMixture::load(const std::filesystem::path& dir) {
  const auto path = dir / kGmmFile;
  std::ifstream in(path);
  if (!in) throw Error("nde.gmm: no saved gmm in '" + dir.string() + "' (cannot open '" + path.string() + "')");
  std::string line, key;
  int version = 0;
  Eigen::Index dim_a = -1, dim_b = -1;
  std::size_t components = 0;
  auto fail = [&](int line_number, const std::string& what) {
    throw Error(path.string() + ":" + std::to_string(line_number) + ": " + what);
  };
  if (!std::getline(in, line) || !(std::istringstream(line) >> key >> version) || key != "orrery-nde-gmm")
    fail(1, "not an Orrery nde.gmm file (expected 'orrery-nde-gmm <version>')");
  if (version != kGmmFormatVersion)
    fail(1, "gmm format version " + std::to_string(version) + ", this build reads version " +
                std::to_string(kGmmFormatVersion));
  if (!std::getline(in, line) || !(std::istringstream(line) >> key >> dim_a >> dim_b) || key != "dims" || dim_a < 1 ||
      dim_b < 0)
    fail(2, "expected 'dims <dim_a> <dim_b>'");
  if (!std::getline(in, line) || !(std::istringstream(line) >> key >> components) || key != "components")
    fail(3, "expected 'components <K>'");
  if (components != static_cast<std::size_t>(settings_.components))
    fail(3, "saved with " + std::to_string(components) + " components but this nde.gmm is configured with " +
                std::to_string(settings_.components) + " components");
  const Eigen::Index d = dim_a + dim_b;
  JointMixture m;
  m.weights.resize(static_cast<Eigen::Index>(components));
  for (std::size_t k = 0; k < components; ++k) {
    const int line_number = 4 + static_cast<int>(k);
    if (!std::getline(in, line)) fail(line_number, "missing component line");
    std::istringstream fields(line);
    Eigen::VectorXd mean(d);
    Eigen::MatrixXd cov(d, d);
    bool ok = static_cast<bool>(fields >> key >> m.weights(static_cast<Eigen::Index>(k))) && key == "component";
    for (Eigen::Index i = 0; ok && i < d; ++i) ok = static_cast<bool>(fields >> mean(i));
    for (Eigen::Index i = 0; ok && i < d * d; ++i) ok = static_cast<bool>(fields >> cov.data()[i]);
    if (!ok) fail(line_number, "expected 'component <weight> <" + str(d) + " means> <" + str(d * d) + " covariances>'");
    m.means.push_back(std::move(mean));
    m.covariances.push_back(std::move(cov));
  }
  parts_ = derive(m, dim_a, dim_b);
  joint_ = std::move(m);
  dim_a_ = dim_a;
  dim_b_ = dim_b;
}

}  // namespace orrery::nde
