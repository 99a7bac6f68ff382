// Elementwise kernels (the host/device functors of tensor/functors.h on the CPU): GB/s, each
// input read once and the output written once. Sizes: one activation of the reference layer
// ([64, 32, 28, 28], 6.4 MB: beyond L2) and a small one that fits in L2.
#include "bench/micro/micro.h"
#include "tensor/ops.h"

namespace camlab {
namespace {

Tensor input(const benchmark::State& state, uint64_t seed) {
  Generator gen(seed);
  return ops::randn({state.range(0)}, gen);  // [n]
}

void BM_Add(benchmark::State& state) {
  Tensor a = input(state, 0), b = input(state, 1);
  for (auto _ : state) benchmark::DoNotOptimize(ops::add(a, b));
  micro::gbytes_per_second(state, 3.0 * 4.0 * double(a.numel()));
}

void BM_MulScalar(benchmark::State& state) {
  Tensor a = input(state, 0);
  for (auto _ : state) benchmark::DoNotOptimize(ops::mul(a, 0.5));
  micro::gbytes_per_second(state, 2.0 * 4.0 * double(a.numel()));
}

void BM_Relu(benchmark::State& state) {
  Tensor a = input(state, 0);
  for (auto _ : state) benchmark::DoNotOptimize(ops::relu(a));
  micro::gbytes_per_second(state, 2.0 * 4.0 * double(a.numel()));
}

void BM_ReluBackward(benchmark::State& state) {
  Tensor grad = input(state, 0), x = input(state, 1);
  for (auto _ : state) benchmark::DoNotOptimize(ops::relu_backward(grad, x));
  micro::gbytes_per_second(state, 3.0 * 4.0 * double(x.numel()));
}

void BM_Exp(benchmark::State& state) {
  Tensor a = input(state, 0);
  for (auto _ : state) benchmark::DoNotOptimize(ops::exp(a));
  micro::gbytes_per_second(state, 2.0 * 4.0 * double(a.numel()));
}

// 64·32·28·28 elements (the reference activation) and 64K (256 KB, in L2).
void Sizes(benchmark::internal::Benchmark* b) {
  b->ArgName("n")->Arg(64 * 32 * 28 * 28)->Arg(1 << 16);
  b->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK(BM_Add)->Apply(Sizes);
BENCHMARK(BM_MulScalar)->Apply(Sizes);
BENCHMARK(BM_Relu)->Apply(Sizes);
BENCHMARK(BM_ReluBackward)->Apply(Sizes);
BENCHMARK(BM_Exp)->Apply(Sizes);

}  // namespace
}  // namespace camlab
