// Finite-difference checks of backward, in double.
//
//   auto f = [](const std::vector<Tensor>& in) { return camlab::conv2d(in[0], in[1], in[2], p); };
//   GradcheckResult r = autograd::gradcheck(f, {x, w, b});   // inputs float64, requires_grad
//   EXPECT_TRUE(r.ok) << r.message;                          // worst element, its index, both
//   values
//
// For a random projection v of the output, the analytic gradient of vᵀf(x) from backward is
// compared with central differences (vᵀf(x + εeᵢ) − vᵀf(x − εeᵢ)) / 2ε for every element i of
// every input.
//
// gradgradcheck checks the double backward the same way: the function checked is the gradient
// x ↦ ∂(vᵀf)/∂x computed with create_graph, so its analytic gradient comes from differentiating a
// backward and its numeric one from finite differences of backwards.
//
//   auto r = autograd::gradgradcheck(f, {x, w, b});   // d/dx of (d vᵀf/dx), in double
//   EXPECT_TRUE(r.ok) << r.message;
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::autograd {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-7;
  double rtol = 1e-5;
  uint64_t seed = 0;  // for the projection v
};

struct GradcheckResult {
  bool ok = true;
  double max_error = 0;  // |analytic − numeric| − rtol·|numeric| at the worst element
  std::string message;   // names input, flat index, analytic and numeric values
};

using GradcheckFn = std::function<Tensor(const std::vector<Tensor>&)>;

GradcheckResult gradcheck(const GradcheckFn& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});

// Second derivatives: gradcheck of the flattened, concatenated first-order gradients of vᵀf (v a
// fixed random projection drawn from options.seed + 1) with respect to every input that
// requires grad. First, those gradients computed with create_graph must equal the fast path's
// (each op has both; a consistently wrong differentiable one would pass finite differences).
GradcheckResult gradgradcheck(const GradcheckFn& f, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options = {});

}  // namespace camlab::autograd
