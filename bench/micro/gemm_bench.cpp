// GEMM (ops::matmul, OpenBLAS sgemm on the CPU): GFLOP/s of [M, K] · [K, N], 2·M·N·K flops.
// The shapes are the GEMMs the reference network's convolutions run (O x C·9 x Ho·Wo per image)
// plus squares for comparison with published sgemm figures.
#include "bench/micro/micro.h"
#include "tensor/ops.h"

namespace camlab {
namespace {

void BM_Matmul(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  Generator gen(0);
  Tensor a = ops::randn({m, k}, gen);                                // [M, K]
  Tensor b = ops::randn({k, n}, gen);                                // [K, N]
  for (auto _ : state) benchmark::DoNotOptimize(ops::matmul(a, b));  // [M, N]
  micro::gflops_per_second(state, 2.0 * double(m * n * k));
}

BENCHMARK(BM_Matmul)
    ->ArgNames({"M", "K", "N"})
    ->Args({32, 9, 784})      // conv1 per image: 1 -> 32, 28x28
    ->Args({32, 288, 784})    // conv2 per image: 32 -> 32, 28x28
    ->Args({64, 576, 196})    // conv4 per image: 64 -> 64, 14x14
    ->Args({32, 288, 50176})  // conv2 over a batch of 64 at once
    ->Args({256, 256, 256})
    ->Args({1024, 1024, 1024})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
}  // namespace camlab
