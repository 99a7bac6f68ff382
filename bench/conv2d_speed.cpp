// conv2d_speed: GFLOP/s of the CPU convolution (forward, backward-input, backward-weight) on the
// reference layer, batch 64, 32 -> 32 channels, 28x28, 3x3, padding 1, float32; with --all also
// on the other layers of the reference nets (docs/performance.md).
//
//   $ g++ -std=c++20 -O2 -march=native -fopenmp -I. bench/conv2d_speed.cpp
//         build/tensor/libcamlab_tensor.a -lfmt
//         /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so -o conv2d_speed   (one line;
//         a CUDA build also needs -L/usr/local/cuda/lib -lcudart -lcublas)
//   $ OMP_NUM_THREADS=2 ./conv2d_speed [peak_gflops [--all | N,C,O,H,W,K]]
//     (peak: bench/fma_peak, all threads; --all: every layer of the reference nets)
//
// Each pass is 2·N·O·(C·kh·kw)·(Ho·Wo) flops (one multiply-add = 2). The best of several timed
// repetitions is reported, after one warm-up call, both per wall-clock second and per second of
// process CPU time: on a shared machine the second says how well the cores that did run were used.
#include <omp.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "tensor/ops.h"

namespace {

using camlab::Tensor;
namespace ops = camlab::ops;

struct Timing {
  double wall = 1e30;  // seconds
  double cpu = 1e30;   // seconds of CPU time, all threads
};

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

Timing best_of(int repetitions, const std::function<void()>& run) {
  run();  // warm-up: first-touch of buffers, BLAS thread start
  Timing best;
  for (int r = 0; r < repetitions; ++r) {
    const double cpu_start = cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    run();
    const auto stop = std::chrono::steady_clock::now();
    best.cpu = std::min(best.cpu, cpu_seconds() - cpu_start);
    best.wall = std::min(best.wall, std::chrono::duration<double>(stop - start).count());
  }
  return best;
}

void report(const char* pass, double flops, Timing t, double peak_gflops, int threads) {
  const double gflops = flops / t.wall * 1e-9;
  const double per_core = flops / t.cpu * 1e-9;
  std::printf(
      "%-16s %8.3f ms  %7.1f GFLOP/s  %5.1f%% of %.0f peak   (per CPU-second: %6.1f, "
      "%5.1f%% of core peak)\n",
      pass, t.wall * 1e3, gflops, 100 * gflops / peak_gflops, peak_gflops, per_core,
      100 * per_core / (peak_gflops / threads));
}

// One convolution layer to time: x [N, C, H, W], w [O, C, k, k], padding k / 2, stride 1.
struct Layer {
  int64_t N, C, O, H, W, K;
};

void time_layer(const Layer& s, double peak_gflops, int threads) {
  const camlab::Conv2dParams p{.kernel = {s.K, s.K}, .padding = {s.K / 2, s.K / 2}};
  camlab::Generator gen(0);
  Tensor x = ops::randn({s.N, s.C, s.H, s.W}, gen);  // [N, C, H, W]
  Tensor w = ops::randn({s.O, s.C, s.K, s.K}, gen);  // [O, C, kh, kw]
  Tensor b = ops::randn({s.O}, gen);                 // [O]
  Tensor y = ops::conv2d(x, w, b, p);                // [N, O, Ho, Wo]
  Tensor grad_y = ops::randn(y.shape(), gen);
  const double flops = 2.0 * s.N * s.O * (s.C * s.K * s.K) * (y.size(2) * y.size(3));

  std::printf(
      "conv2d x [%ld, %ld, %ld, %ld], w [%ld, %ld, %ld, %ld], pad %ld, float32, %d threads\n",
      long(s.N), long(s.C), long(s.H), long(s.W), long(s.O), long(s.C), long(s.K), long(s.K),
      long(s.K / 2), threads);
  // About 0.2 s per pass at 50 GFLOP/s, at least 5 repetitions.
  const int reps = std::max(5, int(1e10 / flops));
  const Timing fwd = best_of(reps, [&] { ops::conv2d(x, w, b, p); });
  const Timing bwd_in = best_of(reps, [&] { ops::conv2d_backward_input(grad_y, w, x.shape(), p); });
  const Timing bwd_w = best_of(reps, [&] { ops::conv2d_backward_weight(grad_y, x, w.shape(), p); });
  report("forward", flops, fwd, peak_gflops, threads);
  report("backward_input", flops, bwd_in, peak_gflops, threads);
  report("backward_weight", flops, bwd_w, peak_gflops, threads);
  report("backward (both)", 2 * flops, {bwd_in.wall + bwd_w.wall, bwd_in.cpu + bwd_w.cpu},
         peak_gflops, threads);
}

}  // namespace

int main(int argc, char** argv) {
  // This machine's measured FP32 FMA peak: ~150 GFLOP/s per core (bench/fma_peak).
  const int threads = omp_get_max_threads();
  const double peak_gflops = argc > 1 ? std::atof(argv[1]) : 150.0 * threads;
  const std::string which = argc > 2 ? argv[2] : "";
  // The reference layer, then the other layers of the reference nets (--all), or one layer
  // given as N,C,O,H,W,K.
  std::vector<Layer> layers{{64, 32, 32, 28, 28, 3}};
  Layer one{};
  if (std::sscanf(which.c_str(), "%ld,%ld,%ld,%ld,%ld,%ld", &one.N, &one.C, &one.O, &one.H, &one.W,
                  &one.K) == 6) {
    layers = {one};
  } else if (which == "--all") {
    layers.insert(layers.end(), {{64, 64, 64, 14, 14, 3},
                                 {64, 32, 64, 14, 14, 3},
                                 {64, 1, 32, 28, 28, 3},
                                 {64, 32, 32, 64, 64, 3},
                                 {64, 64, 64, 32, 32, 3},
                                 {64, 128, 128, 16, 16, 3}});
  }
  for (const Layer& layer : layers) time_layer(layer, peak_gflops, threads);
  return 0;
}
