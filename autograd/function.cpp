#include "autograd/function.h"

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace camlab::autograd {

BackwardContext::BackwardContext(std::vector<Tensor> grads, const std::vector<bool>& needs_grad,
                                 Node& node, bool differentiable)
    : grads_(std::move(grads)), needs_grad_(needs_grad), node_(node) {
  if (!differentiable) return;
  for (const SavedTensor& s : node.saved_tensors()) {
    if (s.output_nr >= 0) connected_outputs_.emplace_back(s.name, node.saved_as_output(s.name));
  }
}

const Tensor& BackwardContext::saved(std::string_view name) const {
  for (const auto& [saved_name, tensor] : connected_outputs_) {
    if (saved_name == name) return tensor;
  }
  return node_.saved(name);
}

Tensor BackwardContext::grad(size_t i) const {
  if (grads_[i].defined()) return grads_[i];
  return ops::zeros(node_.output_shapes()[i], node_.output_dtypes()[i], node_.output_device());
}

std::vector<Tensor> FunctionNode::apply(std::vector<Tensor> grad_outputs,
                                        const std::vector<bool>& needs_input_grad) {
  BackwardContext ctx(std::move(grad_outputs), needs_input_grad, *this);
  std::vector<Tensor> grads = backward_(ctx);
  CAMLAB_CHECK(grads.size() == next_edges().size(),
               "autograd: backward of '{}' returned {} gradients for {} inputs", name_,
               grads.size(), next_edges().size());
  return grads;
}

std::vector<Tensor> FunctionNode::apply_differentiable(std::vector<Tensor> grad_outputs,
                                                       const std::vector<bool>& needs_input_grad) {
  if (!differentiable_backward_) return Node::apply_differentiable({}, needs_input_grad);
  BackwardContext ctx(std::move(grad_outputs), needs_input_grad, *this, /*differentiable=*/true);
  std::vector<Tensor> grads = differentiable_backward_(ctx);
  CAMLAB_CHECK(grads.size() == next_edges().size(),
               "autograd: differentiable backward of '{}' returned {} gradients for {} inputs",
               name_, grads.size(), next_edges().size());
  return grads;
}

bool should_record(const std::vector<Tensor>& inputs) {
  if (!grad_enabled()) return false;
  for (const Tensor& t : inputs) {
    if (t.defined() && t.requires_grad()) return true;
  }
  return false;
}

std::vector<Tensor> record(std::string name, const std::vector<Tensor>& inputs,
                           std::vector<Tensor> outputs, const SavedList& saved, BackwardFn backward,
                           BackwardFn differentiable_backward) {
  if (!should_record(inputs)) return outputs;
  auto node = std::make_shared<FunctionNode>(std::move(name), std::move(backward),
                                             std::move(differentiable_backward));
  std::vector<Edge> edges;
  edges.reserve(inputs.size());
  for (const Tensor& t : inputs) edges.push_back(gradient_edge(t));
  node->set_next_edges(std::move(edges));

  node->save(saved);
  node->mark_saved_outputs(outputs);

  for (size_t i = 0; i < outputs.size(); ++i) {
    Tensor& out = outputs[i];
    if (!is_floating(out.dtype())) {  // indices and masks carry no gradient
      node->add_output(nullptr, out.shape(), out.dtype(), out.device());
      continue;
    }
    // A fresh handle: an op output never shares autograd state with an input it aliases (views).
    out = make_view(out, out.shape(), out.strides(), out.offset());
    const auto& meta = out.autograd_meta();
    meta->requires_grad = true;
    meta->grad_fn = node;
    meta->output_nr = static_cast<uint32_t>(i);
    node->add_output(meta, out.shape(), out.dtype(), out.device());
  }
  return outputs;
}

Tensor record(std::string name, const std::vector<Tensor>& inputs, Tensor output,
              const SavedList& saved, BackwardFn backward, BackwardFn differentiable_backward) {
  return record(std::move(name), inputs, std::vector<Tensor>{std::move(output)}, saved,
                std::move(backward), std::move(differentiable_backward))[0];
}

Tensor record_linear_backward(std::string name, const Tensor& grad_y, const LinearMap& backward,
                              LinearMap adjoint) {
  Tensor result;
  {
    const RawOpScope raw;  // the map's own ops; this function records it as one op
    NoGradGuard no_grad;
    result = backward(grad_y);
  }
  // d⟨u, B·g⟩/dg = Bᵀ·u: the adjoint, itself made of recorded ops (so this nests to any order).
  BackwardFn apply_adjoint =
      [adjoint = std::move(adjoint)](const BackwardContext& ctx) -> std::vector<Tensor> {
    return {adjoint(ctx.grad(0))};
  };
  return record(std::move(name), {grad_y}, result, {}, apply_adjoint, apply_adjoint);
}

}  // namespace camlab::autograd
