// softmax and log_softmax over the last dimension, forward and backward: GB/s of the input read
// once and the output written once (backward: y and grad_y read, grad_x written). [N, K] shapes:
// the classifier's logits at batch 256 (K = 10) and a wide row (K = 1000, ImageNet-sized).
#include "bench/micro/micro.h"
#include "tensor/ops.h"

namespace camlab {
namespace {

Tensor logits(const benchmark::State& state, uint64_t seed) {
  Generator gen(seed);
  return ops::randn({state.range(0), state.range(1)}, gen);  // [N, K]
}

void BM_Softmax(benchmark::State& state) {
  Tensor x = logits(state, 0);
  for (auto _ : state) benchmark::DoNotOptimize(ops::softmax(x, 1));
  micro::gbytes_per_second(state, 2.0 * 4.0 * double(x.numel()));
}

void BM_LogSoftmax(benchmark::State& state) {
  Tensor x = logits(state, 0);
  for (auto _ : state) benchmark::DoNotOptimize(ops::log_softmax(x, 1));
  micro::gbytes_per_second(state, 2.0 * 4.0 * double(x.numel()));
}

void BM_SoftmaxBackward(benchmark::State& state) {
  Tensor y = ops::softmax(logits(state, 0), 1), grad_y = logits(state, 1);
  for (auto _ : state) benchmark::DoNotOptimize(ops::softmax_backward(grad_y, y, 1));
  micro::gbytes_per_second(state, 3.0 * 4.0 * double(y.numel()));
}

void Shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"N", "K"})->Args({256, 10})->Args({256, 1000})->Args({4096, 1000});
  b->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK(BM_Softmax)->Apply(Shapes);
BENCHMARK(BM_LogSoftmax)->Apply(Shapes);
BENCHMARK(BM_SoftmaxBackward)->Apply(Shapes);

}  // namespace
}  // namespace camlab
