// The ImageNet-scale benchmark behind `camlab bench --model FILE.onnx`: inference, Grad-CAM and
// Score-CAM of an imported network on uniform random images [B, C, S, S], with peak memory.
// bench/torch_model_reference.py runs it and the same workloads in PyTorch, in one invocation.
//
//   ModelBenchPlan plan{.size = 224, .batch = 16};
//   ModelBenchResult r = bench_model("resnet50.onnx", Device::cpu(), plan);
//   r.inference.images_per_second;   // batch 16, no grad, eval mode
//   r.gradcam_images_per_second;     // at r.layer ("layer4": the last 4-d map before pooling)
//   // with plan.profile = true: r.profile->kinds, the forward's time per layer kind
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "experiments/bench/layer_profile.h"
#include "experiments/bench/workloads.h"
#include "tensor/device.h"
#include "tensor/shape.h"

namespace camlab::experiments {

struct ModelBenchPlan {
  int64_t size = 224;  // images are [batch, C, size, size]; C from the graph's input
  int64_t batch = 16;  // inference and Grad-CAM
  // Score-CAM runs one forward per channel of the layer per image (2048 for ResNet-50's layer4):
  // a few images keep it to minutes on a laptop CPU.
  int64_t scorecam_images = 2;
  int64_t scorecam_batch = 64;  // masked images per forward
  Steps inference{.warmup = 1, .steps = 3};
  int gradcam_repetitions = 3;
  int scorecam_repetitions = 1;
  std::string layer;     // empty: the graph's default CAM layer
  bool profile = false;  // also time the forward per layer kind (CPU), against the FMA peak
};

struct ModelBenchResult {
  std::string layer;  // the explained layer (child module name of the graph)
  Shape input;        // [batch, C, size, size]
  Throughput inference;
  double gradcam_images_per_second = 0;
  double scorecam_images_per_second = 0;
  double peak_rss_mib = 0;              // the whole run's peak resident set (the CPU's memory)
  double peak_device_mib = 0;           // GPU: the highest peak of live tensors over the workloads
  std::optional<LayerProfile> profile;  // with plan.profile
  double fma_peak_gflops = 0;           // with plan.profile: this run's FMA peak, all threads
};

ModelBenchResult bench_model(const std::filesystem::path& model_file, Device device,
                             const ModelBenchPlan& plan);

}  // namespace camlab::experiments
