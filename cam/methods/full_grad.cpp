#include "cam/methods/full_grad.h"

#include "autograd/engine.h"
#include "autograd/ops.h"
#include "cam/methods/grad_guard.h"
#include "cam/methods/map_ops.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/graph/graph.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// pytorch-grad-cam's scale_cam_image: (v − min) / (max − min + ε) per map.
constexpr double kScaleEps = 1e-7;

// The bias an eval-mode batch norm adds after scaling x by γ/√(σ² + ε): β − μ·γ/√(σ² + ε).
// Parameters are detached: the bias is a constant of the map, not part of any graph.
Tensor batch_norm_bias(const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                       const Tensor& var, double eps) {
  const Tensor scale = ops::div(camlab::detach(gamma), ops::sqrt(ops::add(var, eps)));  // [K]
  return ops::sub(camlab::detach(beta), ops::mul(mean, scale));                         // [K]
}

// An ONNX node's effective bias: Conv's third input, BatchNormalization's from its four weights;
// undefined for any other node or a Conv without bias.
Tensor graph_node_bias(const nn::Graph& graph, const nn::NodeDef& node) {
  const auto& in = node.inputs;
  if (node.op_type == "Conv" && in.size() >= 3 && !in[2].empty()) return graph.weight(in[2]);
  if (node.op_type == "BatchNormalization" && in.size() >= 5) {
    return batch_norm_bias(graph.weight(in[1]), graph.weight(in[2]), graph.weight(in[3]),
                           graph.weight(in[4]), node.real("epsilon", 1e-5));
  }
  return Tensor();
}

// A camlab layer's effective bias; undefined for other modules or a layer without bias.
Tensor module_bias(const nn::Module& module) {
  if (const auto* conv = dynamic_cast<const nn::Conv2d*>(&module)) return conv->bias;
  const auto* bn = dynamic_cast<const nn::BatchNorm2d*>(&module);
  if (bn == nullptr || !bn->options().affine) return Tensor();
  CAMLAB_CHECK(bn->options().track_running_stats,
               "fullgrad: batch norm '{}' keeps no running statistics, so it has no fixed bias to "
               "attribute; use track_running_stats = true",
               bn->label());
  return batch_norm_bias(bn->weight, bn->bias, bn->running_mean, bn->running_var,
                         bn->options().eps);
}

// |∂f/∂z ⊙ b| per channel, scaled and resized to [H, W], summed over channels: [N, H, W].
// Bilinear resizing is linear, so the channels are summed first and the sum resized: the same
// map as resizing each channel (pytorch-grad-cam's order) up to rounding, at 1/K of the cost.
Tensor bias_gradient_map(const Tensor& grad, const Tensor& bias, int64_t height, int64_t width) {
  const Tensor b = bias.to(grad.dtype()).to(grad.device());                        // [K]
  const Tensor terms = ops::abs(ops::mul(grad, b.reshape({1, b.size(0), 1, 1})));  // [N, K, h, w]
  const Tensor summed = ops::sum(scale_each_channel(terms), {1});                  // [N, h, w]
  return upsample_maps(summed, height, width);                                     // [N, H, W]
}

}  // namespace

std::vector<BiasLayer> bias_layers(nn::Module& model) {
  std::vector<BiasLayer> out;
  const nn::Graph* graph = nullptr;  // the graph whose nodes follow (named_modules is pre-order)
  for (const auto& [path, module] : model.named_modules()) {
    if (const auto* g = dynamic_cast<const nn::Graph*>(module)) graph = g;
    if (path.empty()) continue;  // the root is the whole model, not a layer
    Tensor bias;
    if (const auto* node = dynamic_cast<const nn::GraphNode*>(module); node && graph) {
      bias = graph_node_bias(*graph, node->def());
    } else {
      bias = module_bias(*module);
    }
    if (bias.defined()) out.push_back({path, camlab::detach(bias)});
  }
  return out;
}

Tensor scale_each_channel(const Tensor& x) {
  CAMLAB_CHECK(x.dim() == 4, "scale_each_channel: maps must be [N, K, h, w], got {}",
               shape_str(x.shape()));
  const Tensor shifted = ops::sub(x, ops::amin(x, {2, 3}, true));  // [N, K, h, w]
  return ops::div(shifted, ops::add(ops::amax(shifted, {2, 3}, true), kScaleEps));
}

FullGrad::FullGrad(nn::Module& model, CommonOptions common)
    : Method("fullgrad", model, std::move(common)) {
  for (const BiasLayer& layer : bias_layers(this->model())) layers_.push_back(layer.name);
  for (const nn::ForwardHookHandle& handle : capture_.attach(this->model(), layers_, name())) {
    keep_hook(handle);
  }
}

Explanation FullGrad::compute(const Tensor& images, const Target& target) {
  const std::vector<BiasLayer> biases = bias_layers(model());  // current values, device, dtype
  CAMLAB_CHECK(biases.size() == layers_.size(),
               "fullgrad: the model had {} bias layers when the method was made and has {} now; "
               "make the method again after changing the model",
               layers_.size(), biases.size());
  Explanation out;
  std::vector<Tensor> grads;  // ∂(Σ_n score_n)/∂x [N, C, H, W], then per layer [N, K, h, w]
  Tensor x = images.clone();  // [N, C, H, W], a fresh leaf: the caller's tensor stays untouched
  {
    EnableGradGuard grad;
    x.set_requires_grad(true);
    Tensor logits;
    {
      LayerCapture::Armed armed(capture_);
      logits = forward(x);
    }
    std::vector<Tensor> wrt = {x};
    for (size_t l = 0; l < layers_.size(); ++l) wrt.push_back(capture_.output(l));
    out.targets = target.classes(logits, name());
    const Tensor scores = target.scores(logits, out.targets, name());
    grads = autograd::grad({scores}, wrt, {ops::ones_like(scores)}, /*retain_graph=*/false,
                           /*allow_unused=*/true);
    capture_.clear();
    out.logits = camlab::detach(logits);
  }
  const int64_t height = images.size(2), width = images.size(3);
  // The input term: |∇ₓf ⊙ x|, each colour channel scaled on its own, then summed.
  Tensor raw = ops::sum(scale_each_channel(ops::abs(ops::mul(grads[0], images))), {1});
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Tensor& g = grads[l + 1];  // undefined: the layer does not reach the score
    if (g.defined()) raw = ops::add(raw, bias_gradient_map(g, biases[l].bias, height, width));
  }
  out.raw = raw;  // [N, H, W]
  out.maps = minmax_normalize(raw);
  for (size_t l = 0; l < layers_.size(); ++l) out.layer += (l ? "," : "") + layers_[l];
  return out;
}

}  // namespace camlab::cam
