// Pooling: 2x2 max pooling forward (values and arg-max indices) and backward, and global average
// pooling (adaptive to 1x1), at fmnist-gapnet's shapes. GB/s of the tensors read and written once.
#include "bench/micro/micro.h"
#include "tensor/ops.h"

namespace camlab {
namespace {

void BM_MaxPool2d(benchmark::State& state) {
  const int64_t n = state.range(0), c = state.range(1), hw = state.range(2);
  Generator gen(0);
  Tensor x = ops::randn({n, c, hw, hw}, gen);  // [N, C, H, W]
  const Pool2dParams p;                        // 2x2, stride 2
  for (auto _ : state) benchmark::DoNotOptimize(ops::max_pool2d(x, p));
  // Reads x; writes y (float) and indices (int64), each a quarter of x.
  micro::gbytes_per_second(state, 4.0 * double(x.numel()) + (4.0 + 8.0) * double(x.numel() / 4));
}

void BM_MaxPool2dBackward(benchmark::State& state) {
  const int64_t n = state.range(0), c = state.range(1), hw = state.range(2);
  Generator gen(0);
  Tensor x = ops::randn({n, c, hw, hw}, gen);  // [N, C, H, W]
  auto [y, indices] = ops::max_pool2d(x, Pool2dParams{});
  Tensor grad_y = ops::randn(y.shape(), gen);  // [N, C, H/2, W/2]
  for (auto _ : state) {
    benchmark::DoNotOptimize(ops::max_pool2d_backward(grad_y, indices, x.shape()));
  }
  // Reads grad_y and indices; writes grad_x.
  micro::gbytes_per_second(state, (4.0 + 8.0) * double(y.numel()) + 4.0 * double(x.numel()));
}

void BM_GlobalAvgPool(benchmark::State& state) {
  const int64_t n = state.range(0), c = state.range(1), hw = state.range(2);
  Generator gen(0);
  Tensor x = ops::randn({n, c, hw, hw}, gen);  // [N, C, H, W]
  for (auto _ : state) benchmark::DoNotOptimize(ops::adaptive_avg_pool2d(x, {1, 1}));
  micro::gbytes_per_second(state, 4.0 * double(x.numel() + n * c));
}

// N, C, H = W: after conv2 (max pool input) and after conv4 (GAP input).
BENCHMARK(BM_MaxPool2d)
    ->ArgNames({"N", "C", "HW"})
    ->Args({64, 32, 28})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_MaxPool2dBackward)
    ->ArgNames({"N", "C", "HW"})
    ->Args({64, 32, 28})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_GlobalAvgPool)
    ->ArgNames({"N", "C", "HW"})
    ->Args({64, 64, 14})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
}  // namespace camlab
