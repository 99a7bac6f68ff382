// Running backward: an iterative topological walk of the graph (no recursion, so a chain of
// 10,000 ops is fine), summing gradients where a tensor fed several ops.
//
//   Tensor loss = camlab::mean(camlab::relu(camlab::matmul(x, w)));
//   camlab::backward(loss);                          // fills w.grad() (and x.grad() if a leaf)
//   auto [gA] = autograd::grad({score}, {activation}); // d score / d activation, no .grad touched
//
// With create_graph the backward formulas are recorded as ops themselves, so a gradient can be
// differentiated again (a Hessian-vector product, ShapleyCAM):
//   auto [g] = autograd::grad({loss}, {x}, {}, false, false, /*create_graph=*/true);
//   auto [hv] = autograd::grad({camlab::sum(camlab::mul(g, v))}, {x});  // H·v
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace camlab {

// Accumulates d(sum of roots·grad_roots)/d(leaf) into every leaf's .grad(). grad_roots default to
// ones for one-element roots (a scalar loss); non-scalar roots need them. create_graph records
// the backward itself (the leaves' .grad() then carry a graph) and implies retain_graph; an op
// whose backward is not differentiable yet makes it an Error naming the op.
void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_roots = {},
              bool retain_graph = false, bool create_graph = false);
inline void backward(const Tensor& root, const Tensor& grad_root = Tensor(),
                     bool retain_graph = false, bool create_graph = false) {
  backward(std::vector<Tensor>{root},
           grad_root.defined() ? std::vector<Tensor>{grad_root} : std::vector<Tensor>{},
           retain_graph, create_graph);
}

namespace autograd {

// Gradients of outputs with respect to any tensors (leaves or intermediate activations), without
// touching .grad(). Only the part of the graph between them runs. An input the outputs do not
// depend on gets an undefined Tensor unless allow_unused is false, which makes it an Error.
// create_graph: the returned gradients are themselves differentiable (see above).
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, bool retain_graph = false,
                         bool allow_unused = false, bool create_graph = false);

}  // namespace autograd
}  // namespace camlab
