#include "cam/methods/relu_rules.h"

#include "autograd/function.h"
#include "nn/activation.h"
#include "nn/graph/graph.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {

namespace {

// grad_y, x: [B, ...] -> dX [B, ...] (see ReluRule::Redirected)
Tensor redirected_relu_backward(const Tensor& grad_y, const Tensor& x) {
  const Tensor plain = ops::relu_backward(grad_y, x);  // dY · 1[x > 0]
  // What a silent unit adds: dY where dY > 0 and x <= 0.
  const Tensor lifting = ops::mul(ops::relu(grad_y), ops::le(x, ops::zeros_like(x)).to(x.dtype()));
  Shape per_image;
  for (int64_t d = 1; d < x.dim(); ++d) per_image.push_back(d);
  const Tensor plain_energy = ops::sum(ops::mul(plain, plain), per_image, true);  // [B, 1, ...]
  const Tensor silent = ops::le(plain_energy, ops::zeros_like(plain_energy)).to(x.dtype());
  return ops::add(plain, ops::mul(lifting, silent));
}

// A ReLU layer: nn::ReLU, or a Relu node of an imported graph (its hooks see the node's input and
// output exactly as a ReLU layer's, so the rule replaces it the same way).
bool is_relu_layer(nn::Module& module) {
  if (dynamic_cast<nn::ReLU*>(&module) != nullptr) return true;
  const auto* node = dynamic_cast<nn::GraphNode*>(&module);
  return node != nullptr && node->def().op_type == "Relu";
}

}  // namespace

Tensor rule_relu(const Tensor& x, ReluRule rule) {
  const RawOpScope raw_forward;
  Tensor y = ops::relu(x);
  if (rule == ReluRule::Guided) {
    return autograd::record("guided_relu", {x}, y, {{"x", x}},  // the rule reads the sign of x
                            [](const autograd::BackwardContext& ctx) -> std::vector<Tensor> {
                              // dX = ReLU(dY) · 1[x > 0]
                              return {ops::relu_backward(ops::relu(ctx.grad(0)), ctx.saved("x"))};
                            });
  }
  if (rule == ReluRule::Redirected) {
    return autograd::record("redirected_relu", {x}, y, {{"x", x}},
                            [](const autograd::BackwardContext& ctx) -> std::vector<Tensor> {
                              return {redirected_relu_backward(ctx.grad(0), ctx.saved("x"))};
                            });
  }
  return autograd::record("deconvnet_relu", {x}, y, {},  // the rule needs only dY
                          [](const autograd::BackwardContext& ctx) -> std::vector<Tensor> {
                            return {ops::relu(ctx.grad(0))};  // dX = ReLU(dY)
                          });
}

std::vector<nn::ForwardHookHandle> ReluRuleHooks::attach(nn::Module& model, ReluRule rule,
                                                         std::string_view method, bool allow_none) {
  std::vector<nn::ForwardHookHandle> handles;
  for (const auto& [path, module] : model.named_modules()) {
    if (!is_relu_layer(*module)) continue;
    handles.push_back(module->register_forward_hook(
        [armed = armed_, rule](nn::Module&, const Tensor& input, const Tensor&) -> Tensor {
          return *armed ? rule_relu(input, rule) : Tensor();
        }));
  }
  CAMLAB_CHECK(allow_none || !handles.empty(),
               "{}: the model has no ReLU module to apply the rule to (functional relu calls "
               "inside a forward cannot be hooked; use ReLU layers)",
               method);
  return handles;
}

}  // namespace camlab::cam
