// CUDA softmax family along one dim. The frontend passes contiguous tensors, viewed here as
// [outer, D, inner] with D the softmax dim: each of the outer·inner slices holds D values
// `inner` apart. Sums accumulate in double, as on the CPU.
//
//   softmax:              y = exp(x − m) / Σ exp(x − m),  m = max x (no overflow)
//   log_softmax:          y = x − m − log Σ exp(x − m)
//   softmax_backward:     dX = y ⊙ (dY − Σ dY·y)
//   log_softmax_backward: dX = dY − exp(y) · Σ dY
//
// inner == 1 (the softmax dim is the last, as for logits): a block per slice, its threads
// reading consecutive values. inner > 1: a thread per slice, neighbouring threads reading
// neighbouring values.
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <cmath>
#include <limits>

#include "tensor/cuda/block_reduce.cuh"
#include "tensor/cuda/register.h"
#include "tensor/hd.h"
#include "tensor/op_params.h"

namespace camlab::cuda {
namespace {

struct SliceLayout {
  int64_t outer = 1, size = 1, inner = 1;
  CAMLAB_HD int64_t count() const { return outer * inner; }
  // Offset of slice i's first value.
  __device__ int64_t start(int64_t i) const { return (i / inner) * size * inner + i % inner; }
};

SliceLayout slice_layout(const Shape& shape, int64_t dim) {
  SliceLayout s;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < dim) s.outer *= shape[d];
    if (d == dim) s.size = shape[d];
    if (d > dim) s.inner *= shape[d];
  }
  return s;
}

// max, ignoring NaN here: it propagates through exp(x − m) instead (as on the CPU).
struct Max {
  template <typename T>
  __device__ T operator()(T a, T b) const {
    return b > a ? b : a;
  }
};

// Slice i, values x[start + k·stride], k < n, written by the threads [lane, lanes) of a team:
// one thread (a thread per slice) or a block (a block per slice).
template <bool kLog, typename T>
__device__ void softmax_slice(const T* x, T* y, int64_t stride, int64_t n, unsigned lane,
                              unsigned lanes, T* max_scratch, double* sum_scratch) {
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t k = lane; k < n; k += lanes) m = Max{}(m, x[k * stride]);
  if (lanes > 1) m = block_reduce(m, max_scratch, Max{});
  double total = 0;
  for (int64_t k = lane; k < n; k += lanes) total += exp(x[k * stride] - m);
  if (lanes > 1) total = block_reduce(total, sum_scratch, Plus{});
  if constexpr (kLog) {
    const T shift = m + static_cast<T>(log(total));
    for (int64_t k = lane; k < n; k += lanes) y[k * stride] = x[k * stride] - shift;
  } else {
    const T scale = static_cast<T>(1.0 / total);
    for (int64_t k = lane; k < n; k += lanes) y[k * stride] = exp(x[k * stride] - m) * scale;
  }
}

template <bool kLog, typename T>
__device__ void softmax_backward_slice(const T* g, const T* y, T* dx, int64_t stride, int64_t n,
                                       unsigned lane, unsigned lanes, double* sum_scratch) {
  double total = 0;  // softmax: Σ dY·y; log_softmax: Σ dY
  for (int64_t k = lane; k < n; k += lanes) {
    total += kLog ? g[k * stride] : g[k * stride] * y[k * stride];
  }
  if (lanes > 1) total = block_reduce(total, sum_scratch, Plus{});
  const T t = static_cast<T>(total);
  for (int64_t k = lane; k < n; k += lanes) {
    const int64_t i = k * stride;
    dx[i] = kLog ? g[i] - exp(y[i]) * t : y[i] * (g[i] - t);
  }
}

template <bool kLog, bool kPerBlock, typename T>
__global__ void softmax_kernel(SliceLayout s, const T* x, T* y) {
  __shared__ T max_scratch[kPerBlock ? kReduceThreads : 1];
  __shared__ double sum_scratch[kPerBlock ? kReduceThreads : 1];
  if constexpr (kPerBlock) {
    for (int64_t i = blockIdx.x; i < s.count(); i += gridDim.x) {
      const int64_t start = s.start(i);
      softmax_slice<kLog>(x + start, y + start, s.inner, s.size, threadIdx.x, blockDim.x,
                          max_scratch, sum_scratch);
    }
  } else {
    for (int64_t i = grid_start(); i < s.count(); i += grid_step()) {
      const int64_t start = s.start(i);
      softmax_slice<kLog>(x + start, y + start, s.inner, s.size, 0, 1, max_scratch, sum_scratch);
    }
  }
}

template <bool kLog, bool kPerBlock, typename T>
__global__ void softmax_backward_kernel(SliceLayout s, const T* g, const T* y, T* dx) {
  __shared__ double sum_scratch[kPerBlock ? kReduceThreads : 1];
  if constexpr (kPerBlock) {
    for (int64_t i = blockIdx.x; i < s.count(); i += gridDim.x) {
      const int64_t start = s.start(i);
      softmax_backward_slice<kLog>(g + start, y + start, dx + start, s.inner, s.size, threadIdx.x,
                                   blockDim.x, sum_scratch);
    }
  } else {
    for (int64_t i = grid_start(); i < s.count(); i += grid_step()) {
      const int64_t start = s.start(i);
      softmax_backward_slice<kLog>(g + start, y + start, dx + start, s.inner, s.size, 0, 1,
                                   sum_scratch);
    }
  }
}

unsigned slice_blocks(const SliceLayout& s) {
  return static_cast<unsigned>(std::min<int64_t>(s.count(), 1 << 20));
}

template <bool kLog>
void softmax_forward(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];   // [outer, D, inner], contiguous
  const Tensor& y = args.outputs[0];  // like x
  const char* op = kLog ? "log_softmax" : "softmax";
  const SliceLayout s = slice_layout(x.shape(), args.get<DimParams>().dim);
  if (x.numel() == 0) return;
  DeviceGuard guard(x.device());
  visit_floating(x.dtype(), op, [&]<typename T>() {
    if (s.inner == 1) {
      softmax_kernel<kLog, true, T>
          <<<slice_blocks(s), kReduceThreads, 0, current_stream()>>>(s, x.data<T>(), y.data<T>());
    } else {
      softmax_kernel<kLog, false, T>
          <<<blocks_for(s.count()), kThreads, 0, current_stream()>>>(s, x.data<T>(), y.data<T>());
    }
    check_launch(op);
  });
}

template <bool kLog>
void softmax_backward(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];  // [outer, D, inner], contiguous
  const Tensor& y = args.inputs[1];       // like grad_y: softmax or log_softmax output
  const Tensor& grad_x = args.outputs[0];
  const char* op = kLog ? "log_softmax_backward" : "softmax_backward";
  const SliceLayout s = slice_layout(y.shape(), args.get<DimParams>().dim);
  if (y.numel() == 0) return;
  DeviceGuard guard(y.device());
  visit_floating(y.dtype(), op, [&]<typename T>() {
    if (s.inner == 1) {
      softmax_backward_kernel<kLog, true, T>
          <<<slice_blocks(s), kReduceThreads, 0, current_stream()>>>(s, grad_y.data<T>(),
                                                                     y.data<T>(), grad_x.data<T>());
    } else {
      softmax_backward_kernel<kLog, false, T>
          <<<blocks_for(s.count()), kThreads, 0, current_stream()>>>(s, grad_y.data<T>(),
                                                                     y.data<T>(), grad_x.data<T>());
    }
    check_launch(op);
  });
}

}  // namespace

void register_softmax_kernels(KernelTable& t) {
  auto set = [&](Op op, Kernel k) { t[static_cast<size_t>(op)] = k; };
  set(Op::softmax, softmax_forward<false>);
  set(Op::log_softmax, softmax_forward<true>);
  set(Op::softmax_backward, softmax_backward<false>);
  set(Op::log_softmax_backward, softmax_backward<true>);
}

}  // namespace camlab::cuda
