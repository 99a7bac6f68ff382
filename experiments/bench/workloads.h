// The timed workloads behind `camlab bench` and the programs in bench/: a training step, an
// inference pass, an explanation method and the reference convolution, each run the same way
// wherever it is measured (bench/torch_reference.py mirrors these rules in PyTorch).
//
//   Throughput t = time_training(*model, *opt.optimizer, objective, x, y, {.steps = 50});
//   t.images_per_second;                                      // over the timed steps
//   double rate = cam_images_per_second("gradcam", *model, images, "relu4", 5);
//   ConvRates conv = time_reference_conv2d(Device::cpu(), 10);  // GFLOP/s per pass
//
// Steady-state throughput (training, inference) is total images over total wall time of the
// timed steps after warm-up steps; one-shot calls (a CAM method, a conv pass) report the best of
// several runs after one warm-up, the least disturbed on a shared machine. Work on a GPU is
// waited for before each clock read.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "cam/methods/method.h"
#include "experiments/train/objective.h"
#include "nn/module.h"
#include "nn/optim/optimizer.h"
#include "tensor/device.h"
#include "tensor/tensor.h"

namespace camlab::experiments {

// Returns once the work queued on `device` has finished (nothing to wait for on the CPU).
void wait_for_device(Device device);

struct Timing {
  double wall = 1e30;  // seconds
  double cpu = 1e30;   // seconds of process CPU time, all threads
};

// One warm-up call, then the shortest of `repetitions` timed calls (wall and CPU time each).
Timing best_timing(int repetitions, const std::function<void()>& run, Device device);
inline double best_seconds(int repetitions, const std::function<void()>& run, Device device) {
  return best_timing(repetitions, run, device).wall;
}

struct Steps {
  int64_t warmup = 5;  // untimed: first touch of buffers, thread pools, optimizer state
  int64_t steps = 50;  // timed
};

struct Throughput {
  int64_t batch = 0;
  Steps steps;
  double seconds = 0;  // the timed steps together
  double images_per_second = 0;
};

// SGD training steps on one fixed batch: forward, loss, zero_grad, backward, optimizer step, with
// the loss read back each step as the trainer does. x: [B, C, H, W], y: int64 [B].
Throughput time_training(nn::Module& model, nn::Optimizer& optimizer, const Objective& objective,
                         const Tensor& x, const Tensor& y, Steps steps);

// Forward passes in eval mode under NoGradGuard. x: [B, C, H, W].
Throughput time_inference(nn::Module& model, const Tensor& x, Steps steps);

// Images/s of `method` explaining `images` ([N, C, H, W]) for their predicted classes at
// `layer`; `last`, when given, receives the explanation of the final call. `batch_size` > 0 sets
// the images per extra forward (Score-CAM's masked copies), else the method's default.
double cam_images_per_second(const std::string& method, nn::Module& model, const Tensor& images,
                             const std::string& layer, int repetitions,
                             cam::Explanation* last = nullptr, int64_t batch_size = 0);

// The reference convolution of bench/: x [64, 32, 28, 28], w [32, 32, 3, 3], padding 1, float32.
struct ConvRates {
  std::string shape;   // "x [64, 32, 28, 28], w [32, 32, 3, 3], padding 1"
  double flops = 0;    // one pass: 2·N·O·(C·kh·kw)·(Ho·Wo)
  double forward = 0;  // GFLOP/s
  double backward_input = 0;
  double backward_weight = 0;
  double backward = 0;  // both backward passes: 2·flops over the sum of their times
  // GFLOP per CPU-second (process CPU time: all threads, spin-waits included), the measure that
  // a shared machine disturbs least; compare with FmaPeak::gflops_per_core.
  double forward_per_core = 0;
  double backward_per_core = 0;
};

ConvRates time_reference_conv2d(Device device, int repetitions);

}  // namespace camlab::experiments
