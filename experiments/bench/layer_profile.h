// Where a network's forward time goes, per kind of layer: each leaf module (an imported graph's
// nodes, a config net's layers) is timed between its pre-hook and its hook, over several
// forwards, and grouped by kind ("conv 3×3", "conv 1×1 s2", "depthwise 3×3", "linear", "Relu",
// ...). Convolutions and linear layers also count their flops, so each kind reads as GFLOP/s
// against the machine's FMA peak.
//
//   std::shared_ptr<nn::Graph> net = nn::load_graph_model("resnet50.onnx");
//   LayerProfile p = profile_layers(*net, images, {.warmup = 1, .steps = 3});  // [16, 3, 224, 224]
//   for (const LayerKindTime& k : p.kinds)   // slowest first
//     fmt::print("{} {:.1f}% {:.0f} GFLOP/s\n", k.kind, 100 * k.seconds / p.seconds, k.gflops());
//
// Inference only (no grad, eval mode). The hooks see a layer's own kernels; the graph's value
// bookkeeping between nodes is the remainder, total − Σ kinds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiments/bench/workloads.h"
#include "nn/module.h"

namespace camlab::experiments {

struct LayerKindTime {
  std::string kind;
  int64_t layers = 0;  // how many layers of this kind one forward runs
  double seconds = 0;  // per forward, summed over those layers
  double gflop = 0;    // per forward (2 flops per multiply-add); 0 where not counted
  double gflops() const { return seconds > 0 ? gflop / seconds : 0; }
};

struct LayerProfile {
  std::vector<LayerKindTime> kinds;  // by seconds, slowest first
  double seconds = 0;                // one whole forward, hooks included
  double gflop = 0;                  // Σ kinds
};

LayerProfile profile_layers(nn::Module& model, const Tensor& images, Steps steps);

// A convolution's kind by its geometry: "conv 7×7 s2", "conv 1×1", "depthwise 3×3" (groups =
// input channels), "grouped 3×3" (1 < groups < channels), with " s2" for stride 2.
std::string conv_kind(int64_t kh, int64_t kw, int64_t stride, int64_t groups, int64_t channels);

}  // namespace camlab::experiments
