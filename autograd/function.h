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
// keeps nothing. Without the RawOpScope, ops::sigmoid on an x that requires grad would be an Error
// (tensor/graph_guard.h): a raw op outside a tracked one would silently cut the graph.
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
  BackwardContext(std::vector<Tensor> grads, const std::vector<bool>& needs_grad, const Node& node)
      : grads_(std::move(grads)), needs_grad_(needs_grad), node_(node) {}

  // Gradient of output i; zeros of the output's shape when none arrived.
  Tensor grad(size_t i) const;
  bool has_grad(size_t i) const { return grads_[i].defined(); }
  // The tensor saved under `name`; an Error naming the op and the tensor if it was modified in
  // place since it was saved (Node::saved).
  const Tensor& saved(std::string_view name) const { return node_.saved(name); }
  const Tensor& saved(size_t) const = delete;  // by name: an index silently reads the wrong one
  // Whether input i needs a gradient; skip the work (return undefined) when it does not.
  bool needs_grad(size_t i) const { return needs_grad_[i]; }

 private:
  std::vector<Tensor> grads_;
  const std::vector<bool>& needs_grad_;
  const Node& node_;
};

using BackwardFn = std::function<std::vector<Tensor>(const BackwardContext&)>;
using SavedList = std::vector<std::pair<std::string, Tensor>>;

// A node defined by a backward function over named saved tensors.
class FunctionNode final : public Node {
 public:
  FunctionNode(std::string name, BackwardFn backward)
      : name_(std::move(name)), backward_(std::move(backward)) {}
  std::string name() const override { return name_; }
  std::vector<Tensor> apply(std::vector<Tensor> grad_outputs,
                            const std::vector<bool>& needs_input_grad) override;

 private:
  std::string name_;
  BackwardFn backward_;
};

// Records an op with several outputs; returns them (now carrying grad_fn when recorded).
std::vector<Tensor> record(std::string name, const std::vector<Tensor>& inputs,
                           std::vector<Tensor> outputs, const SavedList& saved,
                           BackwardFn backward);
// The single-output form.
Tensor record(std::string name, const std::vector<Tensor>& inputs, Tensor output,
              const SavedList& saved, BackwardFn backward);

// Whether any input requires grad while grad mode is on (i.e. record() would record).
bool should_record(const std::vector<Tensor>& inputs);

}  // namespace camlab::autograd
