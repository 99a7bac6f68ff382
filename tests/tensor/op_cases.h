// One case per kernel Op (tensor/op.h), after ggml's test-backend-ops: the shapes, the parameters
// and the call, written once and driven by every check that needs them.
//
//   for (const OpCase& c : op_cases()) {
//     Tensors in = make_inputs(c, DType::Float64, Device::cpu(), /*seed=*/1);
//     Tensors out = c.run(in, Device::cpu());   // forward through the kernel c.op
//   }
//
// Drivers: tests/autograd/op_cases_test.cpp (every Op has a case, the PyTorch fixtures in
// tests/fixtures/op_cases.h5, gradcheck in double), CudaGradParity.EveryOpCase in
// tests/autograd/cuda_grad_parity_test.cpp (CPU/CUDA parity of values and gradients) and
// bench/micro/op_cases_bench.cpp (one timing per case).
//
// A differentiable case is written with the tracked functions (autograd/ops.h): with inputs that
// need no grad they run the same raw kernels, so one call serves every driver. The backward
// kernels and the ops without a gradient are called through tensor/ops.h; their gradient side is
// proved by the gradcheck of the forward case named in `gradient_via`.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tensor/device.h"
#include "tensor/op.h"
#include "tensor/tensor.h"

namespace camlab::test {

using Tensors = std::vector<Tensor>;

// How an input's values are drawn (make_inputs).
enum class InputKind {
  Float,     // U(−2, 2), differentiated by gradcheck
  Positive,  // U(0.5, 2), differentiated (log, sqrt, a divisor, a base)
  Constant,  // U(0.5, 2), floating but not differentiated (running statistics, upstream grads)
  Index,     // int64 in [0, high)
  Mask,      // bool, about half true
};

struct OpInput {
  Shape shape;
  InputKind kind = InputKind::Float;
  int64_t high = 0;  // Index only
};

// Whether gradcheck and gradient parity differentiate an input of this kind (Float, Positive).
inline bool is_differentiated(const OpInput& spec) {
  return spec.kind == InputKind::Float || spec.kind == InputKind::Positive;
}

struct OpCase {
  Op op;             // the kernel this case runs
  std::string name;  // unique; the group name in tests/fixtures/op_cases.h5 when `fixture`
  std::vector<OpInput> inputs;
  // Runs the op on inputs made by make_inputs; `device` is where ops without inputs create.
  std::function<Tensors(const Tensors&, Device)> run;
  bool differentiable = false;  // run uses tracked ops: gradcheck and gradient parity apply
  bool fixture = false;         // tools/make_fixtures.py writes a PyTorch reference for it
  std::string gradient_via;     // a backward kernel's forward case, whose gradcheck proves it
};

const std::vector<OpCase>& op_cases();

// The case's inputs on `device`; floating ones in `dtype`. Same seed, same values on every device
// (the counter-based generator).
Tensors make_inputs(const OpCase& c, DType dtype, Device device, uint64_t seed);

// Kernel names (kOpNames) that no case runs; empty when the table is complete.
std::vector<std::string> ops_without_case();

}  // namespace camlab::test
