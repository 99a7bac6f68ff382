// A float64 leaf that requires grad, uniform in [low, high) from a seed: the input of the
// finite-difference checks (gradcheck, gradgradcheck).
//
//   Tensor x = camlab::test::grad_input({2, 3}, /*seed=*/1);             // U(−1, 1)
//   Tensor positive = camlab::test::grad_input({2, 3}, 2, 0.5, 2.0);     // for log, sqrt, ...
#pragma once

#include "tensor/generator.h"
#include "tensor/ops.h"

namespace camlab::test {

inline Tensor grad_input(const Shape& shape, uint64_t seed, double low = -1, double high = 1) {
  Generator gen(seed);
  Tensor t = ops::uniform(shape, low, high, gen, DType::Float64);  // [shape]
  t.set_requires_grad(true);
  return t;
}

}  // namespace camlab::test
