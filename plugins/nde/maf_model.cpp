#include "maf_model.hpp"

#include <cmath>
#include <cstdio>
#include <numbers>

#include "nn/masked_dense.hpp"

namespace orrery::nde {

RqSplineConfig MafArchitecture::spline() const {
  RqSplineConfig c;
  c.bins = bins;
  c.tail_bound = tail_bound;
  return c;
}

std::vector<int> maf_variable_degrees(Eigen::Index dim, Eigen::Index transform) {
  std::vector<int> d(static_cast<std::size_t>(dim));
  for (Eigen::Index i = 0; i < dim; ++i)
    d[static_cast<std::size_t>(i)] = static_cast<int>(transform % 2 == 0 ? i + 1 : dim - i);
  return d;
}

template <typename T>
void build_conditional_made(nn::Sequential<T>& net, const MafArchitecture& arch, Eigen::Index transform,
                            RandomStream& rng) {
  const int D = static_cast<int>(arch.dim_a);
  std::vector<int> in = maf_variable_degrees(arch.dim_a, transform);
  in.insert(in.end(), static_cast<std::size_t>(arch.dim_b), 0);  // conditioning inputs reach every hidden unit
  for (Eigen::Index l = 0; l < arch.layers; ++l) {
    const std::vector<int> hidden = nn::made_hidden_degrees(D, static_cast<int>(arch.hidden));
    net.template emplace<nn::MaskedDense<T>>(nn::made_mask<T>(in, hidden, false), rng);
    net.template emplace<nn::Activation<T>>(arch.activation);
    in = hidden;
  }
  std::vector<int> out = maf_variable_degrees(arch.dim_a, transform);
  if (arch.transform == MafTransform::spline) {
    const SplineStep<T> step(arch.spline(), arch.hidden);
    auto& head = net.template emplace<nn::MaskedDense<T>>(
        nn::made_mask<T>(in, SplineStep<T>::output_degrees(out, step.params_per_variable()), true), rng);
    step.initialise_head(head);  // near the identity spline
    return;
  }
  out.insert(out.end(), out.begin(), out.end());  // μ then α, same degrees
  auto& head = net.template emplace<nn::MaskedDense<T>>(nn::made_mask<T>(in, out, true), rng);
  // Start near the identity transform (μ ≈ 0, α ≈ 0) so the initial flow is the base normal.
  head.weight() *= T(0.01);
}

template <typename T>
MafModel<T>::MafModel(const MafArchitecture& arch, RandomStream& rng) : arch_(arch) {
  for (Eigen::Index t = 0; t < arch.transforms; ++t) {
    mades_.push_back(std::make_unique<nn::Sequential<T>>());
    build_conditional_made(*mades_.back(), arch, t, rng);
    if (spline()) steps_.emplace_back(arch.spline(), arch.hidden);
  }
  z_.resize(mades_.size() + 1);
  alpha_.resize(mades_.size());
  scale_.resize(mades_.size());
}

template <typename T>
std::vector<nn::Layer<T>*> MafModel<T>::networks() {
  std::vector<nn::Layer<T>*> out;
  for (auto& m : mades_) out.push_back(m.get());
  return out;
}

template <typename T>
void MafModel<T>::forward(const Mat& a, const Mat& b, Vec& log_q) {
  const Eigen::Index n = a.rows(), D = arch_.dim_a, B = arch_.dim_b;
  z_[0] = a;
  input_.resize(n, D + B);
  input_.rightCols(B) = b;
  log_q.setZero(n);
  for (std::size_t t = 0; t < mades_.size(); ++t) {
    input_.leftCols(D) = z_[t];
    const Mat& out = mades_[t]->forward(input_);
    if (spline()) {
      steps_[t].forward(z_[t], out, z_[t + 1], log_q);
      continue;
    }
    alpha_[t] = out.rightCols(D);
    scale_[t] = (-alpha_[t].array()).exp().matrix();
    z_[t + 1] = ((z_[t] - out.leftCols(D)).array() * scale_[t].array()).matrix();
    log_q -= alpha_[t].rowwise().sum();
  }
  const T norm = static_cast<T>(-0.5 * static_cast<double>(D) * std::log(2.0 * std::numbers::pi));
  log_q.array() += norm - T(0.5) * z_.back().rowwise().squaredNorm().array();
}

template <typename T>
void MafModel<T>::backward(const Vec& w, Mat& grad_a, Mat& grad_b) {
  const Eigen::Index n = z_[0].rows(), D = arch_.dim_a, B = arch_.dim_b;
  g_ = -(z_.back().array().colwise() * w.array()).matrix();  // ∂(Σ w log N(z_T))/∂z_T
  grad_b.setZero(n, B);
  if (!spline()) grad_out_.resize(n, 2 * D);
  for (std::size_t t = mades_.size(); t-- > 0;) {
    if (spline()) {
      // ∂L/∂z_t = (through the spline input) + (through the MADE input)
      const Mat& grad_raw = steps_[t].backward(z_[t], g_, w, grad_z_);
      const Mat& grad_in = mades_[t]->backward(grad_raw);
      g_ = grad_z_ + grad_in.leftCols(D);
      grad_b += grad_in.rightCols(B);
      continue;
    }
    const Mat& u = z_[t + 1];
    grad_out_.leftCols(D) = -(g_.array() * scale_[t].array()).matrix();
    grad_out_.rightCols(D) = ((-(g_.array() * u.array())).colwise() - w.array()).matrix();
    const Mat& grad_in = mades_[t]->backward(grad_out_);
    g_ = (g_.array() * scale_[t].array()).matrix() + grad_in.leftCols(D);
    grad_b += grad_in.rightCols(B);
  }
  grad_a = g_;
}

template <typename T>
void MafModel<T>::sample(const Mat& b, RandomStream& rng, Mat& out) {
  const Eigen::Index n = out.rows(), D = arch_.dim_a, B = arch_.dim_b;
  Mat u(n, D), z(n, D);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < D; ++j) u(i, j) = static_cast<T>(rng.normal());
  Mat in(n, D + B);
  in.rightCols(B) = b.replicate(n, 1);
  for (std::size_t t = mades_.size(); t-- > 0;) {
    z.setZero();
    for (Eigen::Index pass = 0; pass < D; ++pass) {
      in.leftCols(D) = z;
      const Mat& o = mades_[t]->forward(in);
      if (spline()) {
        steps_[t].inverse(u, o, z);
        continue;
      }
      z = (u.array() * o.rightCols(D).array().exp() + o.leftCols(D).array()).matrix();
    }
    u = z;
  }
  out = u;
}

template <typename T>
std::string MafModel<T>::describe() const {
  std::string s = "maf(dim_a=" + std::to_string(arch_.dim_a) + ",dim_b=" + std::to_string(arch_.dim_b) +
                  ",transforms=" + std::to_string(arch_.transforms);
  if (spline()) {
    // The affine description stays as it was before splines existed, so older files still load.
    char bound[32];
    std::snprintf(bound, sizeof bound, "%.17g", arch_.tail_bound);
    s += ",transform=spline,bins=" + std::to_string(arch_.bins) + ",tail_bound=" + bound;
  }
  s += ",made=";
  return s + (mades_.empty() ? std::string("none") : mades_.front()->describe()) + ")";
}

template void build_conditional_made<float>(nn::Sequential<float>&, const MafArchitecture&, Eigen::Index,
                                            RandomStream&);
template void build_conditional_made<double>(nn::Sequential<double>&, const MafArchitecture&, Eigen::Index,
                                             RandomStream&);
template class MafModel<float>;
template class MafModel<double>;

}  // namespace orrery::nde
