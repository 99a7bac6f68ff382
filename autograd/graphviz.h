// The graph behind a tensor as Graphviz DOT, for teaching: one box per op with the shapes it
// produced and the tensors it saved for backward, one ellipse per leaf that requires grad.
//
//   Tensor loss = camlab::cross_entropy(model(x), y);
//   std::ofstream("graph.dot") << autograd::to_dot(loss);
//   // dot -Tpng graph.dot -o graph.png
#pragma once

#include <string>

#include "tensor/tensor.h"

namespace camlab::autograd {

std::string to_dot(const Tensor& root);

}  // namespace camlab::autograd
