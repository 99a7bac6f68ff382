#include "experiments/bench/workloads.h"

#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <chrono>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "tensor/ops.h"
#ifdef CAMLAB_WITH_CUDA
#include "tensor/cuda/stream.h"
#endif

namespace camlab::experiments {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Runs `warmup` untimed then `steps` timed calls of `step`; the images/s of the timed ones.
Throughput time_steps(int64_t batch, Steps steps, Device device,
                      const std::function<void()>& step) {
  for (int64_t i = 0; i < steps.warmup; ++i) step();
  wait_for_device(device);
  const auto start = Clock::now();
  for (int64_t i = 0; i < steps.steps; ++i) step();
  wait_for_device(device);
  Throughput t{.batch = batch, .steps = steps, .seconds = seconds_since(start)};
  t.images_per_second = double(batch * steps.steps) / std::max(t.seconds, 1e-9);
  return t;
}

}  // namespace

void wait_for_device(Device device) {
#ifdef CAMLAB_WITH_CUDA
  if (device.type == DeviceType::CUDA) cuda::synchronize();
#else
  (void)device;
#endif
}

Timing best_timing(int repetitions, const std::function<void()>& run, Device device) {
  run();  // warm-up: first touch of buffers, BLAS threads
  wait_for_device(device);
  Timing best;
  for (int r = 0; r < repetitions; ++r) {
    const double cpu_start = process_cpu_seconds();
    const auto start = Clock::now();
    run();
    wait_for_device(device);
    best.wall = std::min(best.wall, seconds_since(start));
    best.cpu = std::min(best.cpu, process_cpu_seconds() - cpu_start);
  }
  return best;
}

Throughput time_training(nn::Module& model, nn::Optimizer& optimizer, const Objective& objective,
                         const Tensor& x, const Tensor& y, Steps steps) {
  model.train();
  return time_steps(x.size(0), steps, x.device(), [&] {
    Tensor logits = model(x);  // [B, K]
    Tensor loss = objective.loss(logits, y);
    // The trainer reads every loss (NaN check, running mean); so does this step.
    (void)loss.item();
    optimizer.zero_grad();
    backward(loss);
    optimizer.step();
  });
}

Throughput time_inference(nn::Module& model, const Tensor& x, Steps steps) {
  model.eval();
  autograd::NoGradGuard no_grad;
  return time_steps(x.size(0), steps, x.device(), [&] { Tensor logits = model(x); });
}

double cam_images_per_second(const std::string& method, nn::Module& model, const Tensor& images,
                             const std::string& layer, int repetitions, cam::Explanation* last,
                             int64_t batch_size) {
  cam::MethodSettings settings;
  if (!layer.empty()) settings.common.layers = {layer};  // empty: the last 4-d output
  if (batch_size > 0) settings.set_batch_size(batch_size);
  auto explainer = cam::make_method(method, model, settings);
  cam::Explanation e;
  const double seconds = best_seconds(
      repetitions, [&] { e = explainer->explain(images); }, images.device());
  if (last) *last = e;
  return double(images.size(0)) / seconds;
}

ConvRates time_reference_conv2d(Device device, int repetitions) {
  const int64_t N = 64, C = 32, O = 32, H = 28, W = 28, K = 3;
  const Conv2dParams p{.kernel = {K, K}, .padding = {1, 1}};
  Generator gen(0);
  Tensor x = ops::randn({N, C, H, W}, gen).to(device);  // [N, C, H, W]
  Tensor w = ops::randn({O, C, K, K}, gen).to(device);  // [O, C, kh, kw]
  Tensor b = ops::randn({O}, gen).to(device);           // [O]
  Tensor y = ops::conv2d(x, w, b, p);                   // [N, O, Ho, Wo]
  Tensor grad_y = ops::randn(y.shape(), gen).to(device);

  ConvRates r;
  r.shape =
      fmt::format("x [{}, {}, {}, {}], w [{}, {}, {}, {}], padding 1", N, C, H, W, O, C, K, K);
  r.flops = 2.0 * double(N * O * (C * K * K) * (y.size(2) * y.size(3)));
  const Timing fwd = best_timing(
      repetitions, [&] { ops::conv2d(x, w, b, p); }, device);
  const Timing bwd_in = best_timing(
      repetitions, [&] { ops::conv2d_backward_input(grad_y, w, x.shape(), p); }, device);
  const Timing bwd_w = best_timing(
      repetitions, [&] { ops::conv2d_backward_weight(grad_y, x, w.shape(), p); }, device);
  r.forward = r.flops / fwd.wall * 1e-9;
  r.backward_input = r.flops / bwd_in.wall * 1e-9;
  r.backward_weight = r.flops / bwd_w.wall * 1e-9;
  r.backward = 2 * r.flops / (bwd_in.wall + bwd_w.wall) * 1e-9;
  r.forward_per_core = r.flops / fwd.cpu * 1e-9;
  r.backward_per_core = 2 * r.flops / (bwd_in.cpu + bwd_w.cpu) * 1e-9;
  return r;
}

}  // namespace camlab::experiments
