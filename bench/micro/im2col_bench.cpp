// im2col and col2im (the data movement around conv2d's GEMM): GB/s, counting the image read once
// and the column matrix [C·kh·kw, Ho·Wo] per image written once (col2im: the reverse).
#include "bench/micro/micro.h"
#include "tensor/ops.h"

namespace camlab {
namespace {

const Conv2dParams kParams{.kernel = {3, 3}, .padding = {1, 1}};

void BM_Im2col(benchmark::State& state) {
  const int64_t n = state.range(0), c = state.range(1), hw = state.range(2);
  Generator gen(0);
  Tensor x = ops::randn({n, c, hw, hw}, gen);  // [N, C, H, W]
  Tensor cols = ops::im2col(x, kParams);
  for (auto _ : state) benchmark::DoNotOptimize(ops::im2col(x, kParams));
  micro::gbytes_per_second(state, 4.0 * double(x.numel() + cols.numel()));
}

void BM_Col2im(benchmark::State& state) {
  const int64_t n = state.range(0), c = state.range(1), hw = state.range(2);
  Generator gen(0);
  Tensor x = ops::randn({n, c, hw, hw}, gen);  // [N, C, H, W]
  Tensor cols = ops::im2col(x, kParams);
  for (auto _ : state) benchmark::DoNotOptimize(ops::col2im(cols, x.shape(), kParams));
  micro::gbytes_per_second(state, 4.0 * double(x.numel() + cols.numel()));
}

// N, C, H = W: the reference conv (64, 32, 28) and conv4's input (64, 64, 14).
BENCHMARK(BM_Im2col)
    ->ArgNames({"N", "C", "HW"})
    ->Args({64, 32, 28})
    ->Args({64, 64, 14})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_Col2im)
    ->ArgNames({"N", "C", "HW"})
    ->Args({64, 32, 28})
    ->Args({64, 64, 14})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
}  // namespace camlab
