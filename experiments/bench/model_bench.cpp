#include "experiments/bench/model_bench.h"

#include <algorithm>

#include "experiments/bench/fma_peak.h"
#include "experiments/bench/peak_memory.h"
#include "nn/graph/graph.h"
#include "nn/onnx/graph_model.h"
#include "tensor/error.h"
#include "tensor/ops.h"
#include "tensor/threads.h"

namespace camlab::experiments {
namespace {

// Runs `workload` with the device's peak counter reset; returns the peak it reached (0 on CPU).
template <typename F>
double with_device_peak(Device device, F&& workload) {
  reset_device_peak(device);
  workload();
  return device_peak_mib(device);
}

}  // namespace

ModelBenchResult bench_model(const std::filesystem::path& model_file, Device device,
                             const ModelBenchPlan& plan) {
  CAMLAB_CHECK(plan.size > 0 && plan.batch > 0 && plan.scorecam_images >= 0,
               "bench --model: --size and --batch must be positive and --scorecam-images "
               "non-negative, got {}, {} and {}",
               plan.size, plan.batch, plan.scorecam_images);
  std::shared_ptr<nn::Graph> graph = nn::load_graph_model(model_file);
  graph->to(device);
  graph->eval();
  ModelBenchResult r;
  Generator gen(4);
  r.input = {plan.batch, graph->input_channels(3), plan.size, plan.size};  // RGB if undeclared
  const Tensor images = ops::rand(r.input, gen).to(device);                // [B, C, S, S]
  r.layer = plan.layer.empty() ? graph->default_cam_layer(images.narrow(0, 0, 1))
                               : graph->resolve_layer(plan.layer, "bench --layer");

  double peak = with_device_peak(
      device, [&] { r.inference = time_inference(*graph, images, plan.inference); });
  peak = std::max(peak, with_device_peak(device, [&] {
                    r.gradcam_images_per_second = cam_images_per_second(
                        "gradcam", *graph, images, r.layer, plan.gradcam_repetitions);
                  }));
  if (plan.scorecam_images > 0) {
    const Tensor few = images.narrow(0, 0, std::min(plan.scorecam_images, plan.batch));
    peak = std::max(peak, with_device_peak(device, [&] {
                      r.scorecam_images_per_second = cam_images_per_second(
                          "scorecam", *graph, few, r.layer, plan.scorecam_repetitions, nullptr,
                          plan.scorecam_batch);
                    }));
  }
  r.peak_device_mib = peak;
  if (plan.profile) {
    CAMLAB_CHECK(device.is_cpu(), "bench --profile times kernels on the host clock: use the CPU");
    r.profile = profile_layers(*graph, images, plan.inference);
    r.fma_peak_gflops = measure_fma_peak(best_fma_isa(), num_threads(), 0.25).gflops;
  }
  r.peak_rss_mib = peak_rss_mib();
  return r;
}

}  // namespace camlab::experiments
