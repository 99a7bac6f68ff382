// CPU softmax family along one dim. The frontend passes contiguous tensors, viewed here as
// [outer, D, inner] with D the softmax dim. Sums accumulate in double.
//
//   softmax:              y = exp(x − m) / Σ exp(x − m),  m = max x (no overflow)
//   log_softmax:          y = x − m − log Σ exp(x − m)
//   softmax_backward:     dX = y ⊙ (dY − Σ dY·y)
//   log_softmax_backward: dX = dY − exp(y) · Σ dY
//
// With inner = 1 each slice is a contiguous row. Otherwise neighbouring slices interleave (e.g.
// classes of [N, C, H, W] along C), and a block of up to kBlock of them is processed together
// so that every pass reads memory contiguously.
#include <algorithm>
#include <cmath>
#include <limits>

#include "tensor/cpu/loops.h"
#include "tensor/cpu/register.h"
#include "tensor/cpu/vec_math.h"
#include "tensor/op_params.h"

namespace camlab::cpu {

void register_softmax_kernels(KernelTable& table);

namespace {

constexpr int64_t kBlock = 256;

// A block: `count` slices of `size` elements; element k of slice j is at offset + k·stride + j.
struct Block {
  int64_t offset, count, size, stride;
};

// Calls fn(block) over every slice of x's [outer, D, inner] layout, spread over threads.
template <typename F>
void for_each_block(const Shape& shape, int64_t dim, F fn) {
  int64_t outer = 1, size = 1, inner = 1;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < dim) outer *= shape[d];
    if (d == dim) size = shape[d];
    if (d > dim) inner *= shape[d];
  }
  const int64_t blocks_per_outer = (inner + kBlock - 1) / kBlock;
  const int64_t tasks = outer * blocks_per_outer;
#pragma omp parallel for schedule(static) if (outer * size * inner >= kParallelGrain && tasks > 1)
  for (int64_t t = 0; t < tasks; ++t) {
    const int64_t o = t / blocks_per_outer, j0 = t % blocks_per_outer * kBlock;
    fn(Block{o * size * inner + j0, std::min(kBlock, inner - j0), size, inner});
  }
}

// Runs body<kRow>(block): kRow = true for a single contiguous slice, so the compiler drops the
// loop over interleaved slices there.
template <typename Body>
void dispatch_block(const Block& b, Body&& body) {
  if (b.count == 1 && b.stride == 1) {
    body.template operator()<true>(b);
  } else {
    body.template operator()<false>(b);
  }
}

// Sums of a row in eight independent double lanes: no single accumulator chain (whose order
// the compiler may not change), so the loop runs at load/add throughput.
template <typename T, typename F>
double lane_sum(int64_t n, F term) {
  double lanes[8] = {};
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) {
    for (int l = 0; l < 8; ++l) lanes[l] += static_cast<double>(term(k + l));
  }
  for (; k < n; ++k) lanes[0] += static_cast<double>(term(k));
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
         ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

// One contiguous row x: [n] -> y: [n] (the inner = 1 case: classes of [N, K] logits). Same
// maths as the blocked loop below, as separate passes that each vectorise: lane-wise max, the
// exp map (exp_fast) into y, a lane sum of y, then the scale or shift.
template <bool kLog, typename T>
void softmax_row(const T* x, T* y, int64_t n) {
  constexpr int kLanes = 16;
  T lane_max[kLanes];
  std::fill(lane_max, lane_max + kLanes, -std::numeric_limits<T>::infinity());
  int64_t k = 0;
  for (; k + kLanes <= n; k += kLanes) {
    for (int l = 0; l < kLanes; ++l) lane_max[l] = std::max(lane_max[l], x[k + l]);
  }
  for (; k < n; ++k) lane_max[0] = std::max(lane_max[0], x[k]);
  T m = lane_max[0];  // NaN is skipped by the max and then propagates through exp(x − m)
  for (int l = 1; l < kLanes; ++l) m = std::max(m, lane_max[l]);
  for (int64_t i = 0; i < n; ++i) y[i] = exp_fast(x[i] - m);
  const double total = lane_sum<T>(n, [&](int64_t i) { return y[i]; });
  if constexpr (kLog) {
    const T shift = m + static_cast<T>(std::log(total));
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] - shift;
  } else {
    const T scale = static_cast<T>(1.0 / total);
    for (int64_t i = 0; i < n; ++i) y[i] *= scale;
  }
}

template <bool kLog>
void softmax_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];   // [outer, D, inner], contiguous
  const Tensor& y = args.outputs[0];  // like x
  visit_floating(x.dtype(), kLog ? "log_softmax" : "softmax", [&]<typename T>() {
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for_each_block(x.shape(), args.get<DimParams>().dim, [&](const Block& b) {
      dispatch_block(b, [&]<bool kRow>(const Block& b) {
        const int64_t count = kRow ? 1 : b.count, stride = kRow ? 1 : b.stride;
        const T* in = px + b.offset;
        T* out = py + b.offset;
        if constexpr (kRow) {
          softmax_row<kLog>(in, out, b.size);
          return;
        }
        // NaN is skipped by the max and then propagates through exp(x − m).
        T m[kBlock];
        double total[kBlock];
        std::fill(m, m + count, -std::numeric_limits<T>::infinity());
        std::fill(total, total + count, 0.0);
        for (int64_t k = 0; k < b.size; ++k) {
          for (int64_t j = 0; j < count; ++j) m[j] = std::max(m[j], in[k * stride + j]);
        }
        for (int64_t k = 0; k < b.size; ++k) {
          for (int64_t j = 0; j < count; ++j) {
            const T e = exp_fast(in[k * stride + j] - m[j]);
            if constexpr (!kLog) out[k * stride + j] = e;
            total[j] += e;
          }
        }
        T shift[kBlock];  // log_softmax: m + log Σ; softmax: 1 / Σ
        for (int64_t j = 0; j < count; ++j) {
          shift[j] =
              kLog ? m[j] + static_cast<T>(std::log(total[j])) : static_cast<T>(1.0 / total[j]);
        }
        for (int64_t k = 0; k < b.size; ++k) {
          for (int64_t j = 0; j < count; ++j) {
            const int64_t i = k * stride + j;
            out[i] = kLog ? in[i] - shift[j] : out[i] * shift[j];
          }
        }
      });
    });
  });
}

template <bool kLog>
void softmax_backward_kernel(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];  // [outer, D, inner], contiguous
  const Tensor& y = args.inputs[1];       // like grad_y: softmax or log_softmax output
  const Tensor& grad_x = args.outputs[0];
  visit_floating(y.dtype(), kLog ? "log_softmax_backward" : "softmax_backward", [&]<typename T>() {
    const T* pg = grad_y.data<T>();
    const T* py = y.data<T>();
    T* pd = grad_x.data<T>();
    for_each_block(y.shape(), args.get<DimParams>().dim, [&](const Block& b) {
      dispatch_block(b, [&]<bool kRow>(const Block& b) {
        const int64_t count = kRow ? 1 : b.count, stride = kRow ? 1 : b.stride;
        const T* g = pg + b.offset;
        const T* out = py + b.offset;
        T* dx = pd + b.offset;
        if constexpr (kRow) {  // one contiguous row: the same formulas, sum in double lanes
          const T t = static_cast<T>(
              lane_sum<T>(b.size, [&](int64_t i) { return kLog ? g[i] : g[i] * out[i]; }));
          for (int64_t i = 0; i < b.size; ++i) {
            dx[i] = kLog ? g[i] - exp_fast(out[i]) * t : out[i] * (g[i] - t);
          }
          return;
        }
        double total[kBlock];  // softmax: Σ dY·y; log_softmax: Σ dY
        std::fill(total, total + count, 0.0);
        for (int64_t k = 0; k < b.size; ++k) {
          for (int64_t j = 0; j < count; ++j) {
            const int64_t i = k * stride + j;
            total[j] += kLog ? g[i] : g[i] * out[i];
          }
        }
        T t[kBlock];
        for (int64_t j = 0; j < count; ++j) t[j] = static_cast<T>(total[j]);
        for (int64_t k = 0; k < b.size; ++k) {
          for (int64_t j = 0; j < count; ++j) {
            const int64_t i = k * stride + j;
            dx[i] = kLog ? g[i] - exp_fast(out[i]) * t[j] : out[i] * (g[i] - t[j]);
          }
        }
      });
    });
  });
}

}  // namespace

void register_softmax_kernels(KernelTable& t) {
  auto set = [&](Op op, Kernel k) { t[static_cast<size_t>(op)] = k; };
  set(Op::softmax, softmax_kernel<false>);
  set(Op::log_softmax, softmax_kernel<true>);
  set(Op::softmax_backward, softmax_backward_kernel<false>);
  set(Op::log_softmax_backward, softmax_backward_kernel<true>);
}

}  // namespace camlab::cpu
