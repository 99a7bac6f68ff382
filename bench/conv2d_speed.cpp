// conv2d_speed: GFLOP/s of the CPU convolution (forward, backward-input, backward-weight) on the
// reference layer, batch 64, 32 -> 32 channels, 28x28, 3x3, padding 1, float32.
//
//   $ g++ -std=c++20 -O2 -march=native -fopenmp -I. bench/conv2d_speed.cpp
//         build/tensor/libcamlab_tensor.a -lfmt
//         /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so -o conv2d_speed   (one line)
//   $ OMP_NUM_THREADS=2 ./conv2d_speed [peak_gflops]     # peak: bench/fma_peak, all threads
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

}  // namespace

int main(int argc, char** argv) {
  // This machine's measured FP32 FMA peak: ~150 GFLOP/s per core (bench/fma_peak).
  const double peak_gflops = argc > 1 ? std::atof(argv[1]) : 150.0 * omp_get_max_threads();
  const int64_t N = 64, C = 32, O = 32, H = 28, W = 28, K = 3;
  const camlab::Conv2dParams p{.kernel = {K, K}, .padding = {1, 1}};

  camlab::Generator gen(0);
  Tensor x = ops::randn({N, C, H, W}, gen);  // [N, C, H, W]
  Tensor w = ops::randn({O, C, K, K}, gen);  // [O, C, kh, kw]
  Tensor b = ops::randn({O}, gen);           // [O]
  Tensor y = ops::conv2d(x, w, b, p);        // [N, O, Ho, Wo]
  Tensor grad_y = ops::randn(y.shape(), gen);
  const double flops = 2.0 * N * O * (C * K * K) * (y.size(2) * y.size(3));

  std::printf("conv2d x [%ld, %ld, %ld, %ld], w [%ld, %ld, %ld, %ld], pad 1, float32, %d threads\n",
              long(N), long(C), long(H), long(W), long(O), long(C), long(K), long(K),
              omp_get_max_threads());
  const int reps = 20;
  const int threads = omp_get_max_threads();
  const Timing fwd = best_of(reps, [&] { ops::conv2d(x, w, b, p); });
  const Timing bwd_in = best_of(reps, [&] { ops::conv2d_backward_input(grad_y, w, x.shape(), p); });
  const Timing bwd_w = best_of(reps, [&] { ops::conv2d_backward_weight(grad_y, x, w.shape(), p); });
  report("forward", flops, fwd, peak_gflops, threads);
  report("backward_input", flops, bwd_in, peak_gflops, threads);
  report("backward_weight", flops, bwd_w, peak_gflops, threads);
  report("backward (both)", 2 * flops, {bwd_in.wall + bwd_w.wall, bwd_in.cpu + bwd_w.cpu},
         peak_gflops, threads);
  return 0;
}
