#include "experiments/bench/layer_profile.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "autograd/grad_mode.h"
#include "nn/conv2d.h"
#include "nn/graph/graph.h"
#include "nn/hooks.h"
#include "nn/linear.h"

namespace camlab::experiments {
namespace {

using Clock = std::chrono::steady_clock;

struct Cost {
  std::string kind;
  double flop = 0;
};

// Convolution flops: 2 · N · O · Ho · Wo · (C/groups) · kh · kw.
double conv_flop(const Tensor& x, const Tensor& y, int64_t kh, int64_t kw, int64_t groups) {
  return 2.0 * static_cast<double>(y.numel()) * static_cast<double>(x.size(1) / groups) *
         static_cast<double>(kh * kw);
}

Cost graph_node_cost(const nn::GraphNode& node, const Tensor& x, const Tensor& y) {
  const nn::NodeDef& def = node.def();
  if (def.op_type == "Conv" && x.dim() == 4 && y.dim() == 4) {
    const std::vector<int64_t> kernel = def.ints("kernel_shape", {1, 1});
    const std::vector<int64_t> strides = def.ints("strides", {1, 1});
    const int64_t groups = def.integer("group", 1);
    const int64_t kh = kernel.at(0), kw = kernel.size() > 1 ? kernel[1] : kernel[0];
    return {conv_kind(kh, kw, strides.at(0), groups, x.size(1)), conv_flop(x, y, kh, kw, groups)};
  }
  if ((def.op_type == "Gemm" || def.op_type == "MatMul") && x.dim() >= 1) {
    return {"linear", 2.0 * static_cast<double>(y.numel()) * static_cast<double>(x.size(-1))};
  }
  return {def.op_type, 0};
}

Cost module_cost(nn::Module& module, const Tensor& x, const Tensor& y) {
  if (auto* node = dynamic_cast<nn::GraphNode*>(&module)) return graph_node_cost(*node, x, y);
  if (auto* conv = dynamic_cast<nn::Conv2d*>(&module)) {
    const Conv2dParams& p = conv->params();
    return {conv_kind(p.kernel[0], p.kernel[1], p.stride[0], p.groups, x.size(1)),
            conv_flop(x, y, p.kernel[0], p.kernel[1], p.groups)};
  }
  if (dynamic_cast<nn::Linear*>(&module) != nullptr) {
    return {"linear", 2.0 * static_cast<double>(y.numel()) * static_cast<double>(x.size(-1))};
  }
  return {module.type_name(), 0};
}

// The modules that run kernels themselves: those without children.
std::vector<nn::Module*> leaf_modules(nn::Module& model) {
  std::vector<nn::Module*> leaves;
  for (auto& [name, module] : model.named_modules()) {
    if (module != &model && module->named_children().empty()) leaves.push_back(module);
  }
  return leaves;
}

// Per-kind totals over the timed forwards, filled by the hooks.
struct Tally {
  bool timing = false;
  Clock::time_point started;
  std::map<std::string, LayerKindTime> kinds;
};

}  // namespace

std::string conv_kind(int64_t kh, int64_t kw, int64_t stride, int64_t groups, int64_t channels) {
  const std::string size = fmt::format("{}×{}", kh, kw);
  std::string kind = groups == 1          ? "conv " + size
                     : groups == channels ? "depthwise " + size
                                          : "grouped " + size;
  if (stride != 1) kind += fmt::format(" s{}", stride);
  return kind;
}

LayerProfile profile_layers(nn::Module& model, const Tensor& images, Steps steps) {
  CAMLAB_CHECK(steps.steps > 0, "profile: steps must be positive, not {}", steps.steps);
  autograd::NoGradGuard no_grad;
  model.eval();
  Tally tally;
  std::vector<nn::ScopedForwardHook> hooks;
  for (nn::Module* leaf : leaf_modules(model)) {
    hooks.emplace_back(leaf->register_forward_pre_hook([&tally](nn::Module&, const Tensor&) {
      tally.started = Clock::now();
      return Tensor();
    }));
    hooks.emplace_back(leaf->register_forward_hook([&tally](nn::Module& m, const Tensor& x,
                                                            const Tensor& y) {
      if (!tally.timing) return Tensor();
      // Kernels may run asynchronously on a GPU; this profile is for the CPU.
      const double seconds = std::chrono::duration<double>(Clock::now() - tally.started).count();
      const Cost cost = module_cost(m, x, y);
      LayerKindTime& k = tally.kinds[cost.kind];
      k.kind = cost.kind;
      k.layers += 1;
      k.seconds += seconds;
      k.gflop += cost.flop * 1e-9;
      return Tensor();
    }));
  }
  for (int64_t i = 0; i < steps.warmup; ++i) model(images);
  tally.timing = true;
  const auto start = Clock::now();
  for (int64_t i = 0; i < steps.steps; ++i) model(images);
  const double total = std::chrono::duration<double>(Clock::now() - start).count();

  LayerProfile profile;
  const double rounds = static_cast<double>(steps.steps);
  profile.seconds = total / rounds;
  for (auto& [kind, k] : tally.kinds) {
    k.layers /= steps.steps;
    k.seconds /= rounds;
    k.gflop /= rounds;
    profile.gflop += k.gflop;
    profile.kinds.push_back(k);
  }
  std::sort(profile.kinds.begin(), profile.kinds.end(),
            [](const LayerKindTime& a, const LayerKindTime& b) { return a.seconds > b.seconds; });
  return profile;
}

}  // namespace camlab::experiments
