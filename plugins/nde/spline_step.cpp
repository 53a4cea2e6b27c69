#include "spline_step.hpp"

#include <cmath>

namespace orrery::nde {

template <typename T>
SplineStep<T>::SplineStep(const RqSplineConfig& config, Eigen::Index hidden)
    : spline_(config), raw_scale_(static_cast<T>(1.0 / std::sqrt(static_cast<double>(hidden)))) {}

template <typename T>
std::vector<int> SplineStep<T>::output_degrees(const std::vector<int>& variable_degrees,
                                               Eigen::Index per_variable) {
  std::vector<int> out;
  out.reserve(variable_degrees.size() * static_cast<std::size_t>(per_variable));
  for (int d : variable_degrees) out.insert(out.end(), static_cast<std::size_t>(per_variable), d);
  return out;
}

template <typename T>
void SplineStep<T>::initialise_head(nn::MaskedDense<T>& head) const {
  const Eigen::Index P = params_per_variable(), dim = head.outputs() / P;
  head.weight() *= T(0.01);
  head.bias() = spline_.identity_parameters(dim);  // widths/heights 0, slopes identity_raw_derivative()
}

template <typename T>
void SplineStep<T>::set_params(const Mat& raw) {
  const Eigen::Index P = params_per_variable(), K = spline_.bins(), D = raw.cols() / P;
  params_ = raw;
  for (Eigen::Index j = 0; j < D; ++j) params_.middleCols(j * P, 2 * K) *= raw_scale_;
}

template <typename T>
void SplineStep<T>::forward(const Mat& z, const Mat& raw, Mat& z_next, Vec& log_q) {
  set_params(raw);
  z_next.resize(z.rows(), z.cols());
  logdet_.resize(z.rows(), z.cols());
  spline_.forward(z, params_, z_next, logdet_);
  log_q += logdet_.rowwise().sum();
}

template <typename T>
const typename SplineStep<T>::Mat& SplineStep<T>::backward(const Mat& z, const Mat& g, const Vec& w, Mat& grad_z) {
  const Eigen::Index n = z.rows(), D = z.cols(), P = params_per_variable(), K = spline_.bins();
  grad_logdet_ = w.replicate(1, D);
  grad_z.resize(n, D);
  grad_params_.resize(n, D * P);
  spline_.backward(z, params_, g, grad_logdet_, grad_z, grad_params_);
  for (Eigen::Index j = 0; j < D; ++j) grad_params_.middleCols(j * P, 2 * K) *= raw_scale_;
  return grad_params_;
}

template <typename T>
void SplineStep<T>::inverse(const Mat& u, const Mat& raw, Mat& z) {
  set_params(raw);
  z.resize(u.rows(), u.cols());
  logdet_.resize(u.rows(), u.cols());
  spline_.inverse(u, params_, z, logdet_);
}

template class SplineStep<float>;
template class SplineStep<double>;

}  // namespace orrery::nde
