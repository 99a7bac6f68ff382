// conv2d forward, backward-input and backward-weight (ops::conv2d*): GFLOP/s, each pass
// 2·N·O·(C·kh·kw)·(Ho·Wo) flops. The first shape is the reference layer of bench/conv2d_speed.cpp
// and `camlab bench`; the others are the remaining convolutions of fmnist-gapnet.
#include "bench/micro/micro.h"
#include "tensor/ops.h"

namespace camlab {
namespace {

const Conv2dParams kParams{.kernel = {3, 3}, .padding = {1, 1}};

// One layer's tensors, built from the benchmark's (N, C, O, H=W) arguments.
struct Layer {
  Tensor x, w, b, grad_y;
  double flops = 0;

  explicit Layer(const benchmark::State& state) {
    const int64_t n = state.range(0), c = state.range(1), o = state.range(2), hw = state.range(3);
    Generator gen(0);
    x = ops::randn({n, c, hw, hw}, gen);       // [N, C, H, W]
    w = ops::randn({o, c, 3, 3}, gen);         // [O, C, kh, kw]
    b = ops::randn({o}, gen);                  // [O]
    grad_y = ops::randn({n, o, hw, hw}, gen);  // [N, O, Ho, Wo], padding 1 keeps H, W
    flops = 2.0 * double(n * o * c * 9 * hw * hw);
  }
};

void BM_Conv2dForward(benchmark::State& state) {
  Layer l(state);
  for (auto _ : state) benchmark::DoNotOptimize(ops::conv2d(l.x, l.w, l.b, kParams));
  micro::gflops_per_second(state, l.flops);
}

void BM_Conv2dBackwardInput(benchmark::State& state) {
  Layer l(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ops::conv2d_backward_input(l.grad_y, l.w, l.x.shape(), kParams));
  }
  micro::gflops_per_second(state, l.flops);
}

void BM_Conv2dBackwardWeight(benchmark::State& state) {
  Layer l(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ops::conv2d_backward_weight(l.grad_y, l.x, l.w.shape(), kParams));
  }
  micro::gflops_per_second(state, l.flops);
}

// N, C, O, H = W.
void Shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"N", "C", "O", "HW"});
  b->Args({64, 32, 32, 28});  // reference: conv2
  b->Args({64, 1, 32, 28});   // conv1
  b->Args({64, 32, 64, 14});  // conv3
  b->Args({64, 64, 64, 14});  // conv4
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_Conv2dForward)->Apply(Shapes);
BENCHMARK(BM_Conv2dBackwardInput)->Apply(Shapes);
BENCHMARK(BM_Conv2dBackwardWeight)->Apply(Shapes);

}  // namespace
}  // namespace camlab
