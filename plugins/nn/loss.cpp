#include "nn/loss.hpp"

#include <string>

#include "orrery/error.hpp"

namespace orrery::nn {

template <typename T>
T mse_loss(const Matrix<T>& prediction, const Matrix<T>& target, Matrix<T>& grad) {
  if (prediction.rows() != target.rows() || prediction.cols() != target.cols())
    throw Error("nn: mse_loss: prediction is " + std::to_string(prediction.rows()) + "x" +
                std::to_string(prediction.cols()) + " but target is " + std::to_string(target.rows()) + "x" +
                std::to_string(target.cols()));
  if (prediction.size() == 0) throw Error("nn: mse_loss: empty batch");
  const T scale = T(1) / static_cast<T>(prediction.size());
  grad.resize(prediction.rows(), prediction.cols());
  grad = prediction - target;
  const T loss = grad.squaredNorm() * scale;
  grad *= T(2) * scale;
  return loss;
}

template float mse_loss<float>(const Matrix<float>&, const Matrix<float>&, Matrix<float>&);
template double mse_loss<double>(const Matrix<double>&, const Matrix<double>&, Matrix<double>&);

}  // namespace orrery::nn
