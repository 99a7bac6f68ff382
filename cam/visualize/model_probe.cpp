#include "cam/visualize/model_probe.h"

#include "autograd/grad_mode.h"
#include "nn/hooks.h"
#include "nn/named_tensors.h"
#include "tensor/error.h"

namespace camlab::cam::visualize {

std::vector<LayerShape> trace_layer_shapes(nn::Module& model, const Tensor& input) {
  std::vector<LayerShape> shapes;
  std::vector<nn::ScopedForwardHook> hooks;
  for (auto& [path, module] : model.named_modules()) {
    if (path.empty()) continue;
    hooks.emplace_back(module->register_forward_hook(
        [&shapes, name = path](nn::Module&, const Tensor&, const Tensor& output) {
          shapes.push_back({name, output.shape()});
        }));
  }
  autograd::NoGradGuard no_grad;
  model(input);
  return shapes;
}

std::vector<std::string> spatial_layer_names(nn::Module& model, const Tensor& input) {
  std::vector<std::string> names;
  for (const auto& [name, shape] : trace_layer_shapes(model, input)) {
    if (shape.size() == 4) names.push_back(name);
  }
  return names;
}

Device model_device(nn::Module& model) {
  for (const Tensor& p : model.parameters()) return p.device();
  return Device::cpu();
}

DType model_dtype(nn::Module& model) {
  for (const Tensor& p : model.parameters()) {
    if (is_floating(p.dtype())) return p.dtype();
  }
  return DType::Float32;
}

EvalModeGuard::EvalModeGuard(nn::Module& model) {
  for (auto& [path, module] : model.named_modules()) {
    modes_.emplace_back(module, module->is_training());
  }
  model.eval();
}

EvalModeGuard::~EvalModeGuard() {
  // train() is recursive, so setting parents first lets each child's own call win.
  for (auto& [module, training] : modes_) module->train(training);
}

}  // namespace camlab::cam::visualize
