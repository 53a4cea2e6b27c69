// A small tanh MLP used by the training and serialization tests.
#pragma once

#include "nn/activations.hpp"
#include "nn/dense.hpp"
#include "nn/sequential.hpp"

namespace orrery::nn::test {

template <typename T>
void build_mlp(Sequential<T>& net, Index inputs, Index hidden, Index outputs, RandomStream& rng) {
  net.template emplace<Dense<T>>(inputs, hidden, rng);
  net.template emplace<Activation<T>>(ActivationKind::tanh);
  net.template emplace<Dense<T>>(hidden, hidden, rng);
  net.template emplace<Activation<T>>(ActivationKind::tanh);
  net.template emplace<Dense<T>>(hidden, outputs, rng);
}

}  // namespace orrery::nn::test
