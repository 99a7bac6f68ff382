#include "cam/methods/relu_rules.h"

#include "autograd/function.h"
#include "nn/activation.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {

Tensor rule_relu(const Tensor& x, ReluRule rule) {
  Tensor y = ops::relu(x);
  if (rule == ReluRule::Guided) {
    return autograd::record("guided_relu", {x}, y, {{"x", x}},  // the rule reads the sign of x
                            [](const autograd::BackwardContext& ctx) -> std::vector<Tensor> {
                              // dX = ReLU(dY) · 1[x > 0]
                              return {ops::relu_backward(ops::relu(ctx.grad(0)), ctx.saved(0))};
                            });
  }
  return autograd::record("deconvnet_relu", {x}, y, {},  // the rule needs only dY
                          [](const autograd::BackwardContext& ctx) -> std::vector<Tensor> {
                            return {ops::relu(ctx.grad(0))};  // dX = ReLU(dY)
                          });
}

std::vector<nn::ForwardHookHandle> ReluRuleHooks::attach(nn::Module& model, ReluRule rule,
                                                         std::string_view method) {
  std::vector<nn::ForwardHookHandle> handles;
  for (const auto& [path, module] : model.named_modules()) {
    if (dynamic_cast<nn::ReLU*>(module) == nullptr) continue;
    handles.push_back(module->register_forward_hook(
        [armed = armed_, rule](nn::Module&, const Tensor& input, const Tensor&) -> Tensor {
          return *armed ? rule_relu(input, rule) : Tensor();
        }));
  }
  CAMLAB_CHECK(!handles.empty(),
               "{}: the model has no ReLU module to apply the rule to (functional relu calls "
               "inside a forward cannot be hooked; use ReLU layers)",
               method);
  return handles;
}

}  // namespace camlab::cam
