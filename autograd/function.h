// How a differentiable op is written: compute forward with the raw ops, then record a node that
// saves exactly what its backward reads.
//
//   Tensor sigmoid(const Tensor& x) {
//     const RawOpScope raw_forward;     // the raw ops below are this op's own: it records them
//     Tensor y = ops::sigmoid(x);
//     return autograd::record("sigmoid", {x}, y, {{"y", y}},  // σ' = y(1 − y) needs only y
//                             [](const BackwardContext& ctx) -> std::vector<Tensor> {
//                               return {ops::sigmoid_backward(ctx.grad(0), ctx.saved("y"))};
//                             });
//   }
//
// When grad mode is off or no input requires grad, record() returns the outputs untouched and
// keeps nothing.
//
// Double backward: an optional second function computes the same gradients with recorded ops
// (camlab::mul rather than ops::mul), run only under create_graph; the first one stays the fast
// path. sigmoid's would be
//   [](const BackwardContext& ctx) -> std::vector<Tensor> {
//     const Tensor& y = ctx.saved("y");   // here y carries its grad_fn: σ'' flows through it
//     return {camlab::mul(ctx.grad(0), camlab::mul(y, camlab::add(camlab::neg(y), 1.0)))};
//   }
// An op recorded without one makes create_graph an Error that names it. Without the RawOpScope,
// ops::sigmoid on an x that requires grad would be an Error (tensor/graph_guard.h): a raw op
// outside a tracked one would silently cut the graph.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "autograd/node.h"
#include "tensor/graph_guard.h"

namespace camlab::autograd {

class BackwardContext {
 public:
  BackwardContext(std::vector<Tensor> grads, const std::vector<bool>& needs_grad, Node& node,
                  bool differentiable = false);

  // Gradient of output i; zeros of the output's shape when none arrived.
  Tensor grad(size_t i) const;
  bool has_grad(size_t i) const { return grads_[i].defined(); }
  // The tensor saved under `name`; an Error naming the op and the tensor if it was modified in
  // place since it was saved (Node::saved). In a differentiable backward a saved output of the
  // op comes back with its grad_fn (Node::saved_as_output).
  const Tensor& saved(std::string_view name) const;
  const Tensor& saved(size_t) const = delete;  // by name: an index silently reads the wrong one
  // Whether input i needs a gradient; skip the work (return undefined) when it does not.
  bool needs_grad(size_t i) const { return needs_grad_[i]; }

 private:
  std::vector<Tensor> grads_;
  const std::vector<bool>& needs_grad_;
  const Node& node_;
  std::vector<std::pair<std::string, Tensor>> connected_outputs_;  // differentiable mode only
};

using BackwardFn = std::function<std::vector<Tensor>(const BackwardContext&)>;
using SavedList = std::vector<std::pair<std::string, Tensor>>;

// A node defined by a backward function over named saved tensors.
class FunctionNode final : public Node {
 public:
  FunctionNode(std::string name, BackwardFn backward, BackwardFn differentiable_backward)
      : name_(std::move(name)),
        backward_(std::move(backward)),
        differentiable_backward_(std::move(differentiable_backward)) {}
  std::string name() const override { return name_; }
  std::vector<Tensor> apply(std::vector<Tensor> grad_outputs,
                            const std::vector<bool>& needs_input_grad) override;
  std::vector<Tensor> apply_differentiable(std::vector<Tensor> grad_outputs,
                                           const std::vector<bool>& needs_input_grad) override;

 private:
  std::string name_;
  BackwardFn backward_;
  BackwardFn differentiable_backward_;  // empty: no double backward (create_graph is an Error)
};

// Records an op with several outputs; returns them (now carrying grad_fn when recorded).
// differentiable_backward: the create_graph form of backward (see above), or empty.
std::vector<Tensor> record(std::string name, const std::vector<Tensor>& inputs,
                           std::vector<Tensor> outputs, const SavedList& saved, BackwardFn backward,
                           BackwardFn differentiable_backward = {});
// The single-output form.
Tensor record(std::string name, const std::vector<Tensor>& inputs, Tensor output,
              const SavedList& saved, BackwardFn backward, BackwardFn differentiable_backward = {});
// An op whose backward is one linear map of dY alone (pooling, resizing, a view's scatter):
// records `backward(dY)` as an op of its own whose backward is `adjoint`, usually the forward
// op, so every order of derivative stays recorded. Both functions must use camlab:: ops.
using LinearMap = std::function<Tensor(const Tensor&)>;
Tensor record_linear_backward(std::string name, const Tensor& grad_y, const LinearMap& backward,
                              LinearMap adjoint);

// Whether any input requires grad while grad mode is on (i.e. record() would record).
bool should_record(const std::vector<Tensor>& inputs);

}  // namespace camlab::autograd
