// What the visualizers need to know about a model they did not build (its layers by name come from
// cam::find_layer, cam/methods/layers.h): each layer's output shape for one input, its device and
// dtype, and a guard that runs it in eval() mode and restores every module's mode afterwards.
//
//   EvalModeGuard eval(model);                            // BN running stats, no dropout
//   for (auto& [name, shape] : trace_layer_shapes(model, probe)) ...   // "conv1" [1, 32, 28, 28]
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nn/module.h"
#include "tensor/tensor.h"

namespace camlab::cam::visualize {

// Every non-root module's output shape for `input`, in the order the calls finished, from one
// forward under NoGradGuard.
struct LayerShape {
  std::string name;
  Shape shape;
};
std::vector<LayerShape> trace_layer_shapes(nn::Module& model, const Tensor& input);

// Names of the layers whose output is [N, C, H, W]: what the channel objective and activation
// grids accept.
std::vector<std::string> spatial_layer_names(nn::Module& model, const Tensor& input);

// The device and floating dtype of the model's first parameter (CPU, float32 without any).
Device model_device(nn::Module& model);
DType model_dtype(nn::Module& model);

// Puts the model in eval() mode for a scope and gives every module its own mode back.
class EvalModeGuard {
 public:
  explicit EvalModeGuard(nn::Module& model);
  ~EvalModeGuard();
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  std::vector<std::pair<nn::Module*, bool>> modes_;  // pre-order: parents before children
};

}  // namespace camlab::cam::visualize
