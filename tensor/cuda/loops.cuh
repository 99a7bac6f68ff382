// The one strided elementwise kernel of the CUDA backend, and the layout it walks.
//
//   // out[i] = f(a[i], b[i]) over any strides (broadcast inputs have stride 0):
//   elementwise<float, float, float>("add", fn::Add{}, out, a, b);
//   // out[i] = f() (fill), out[i] = f(x[i]) (unary, copy), f(c[i], a[i], b[i]) (where):
//   elementwise<float>("fill", Constant<float>{0.5f}, out);
//
// One thread per element of out, grid-stride. Dims are first collapsed wherever every operand is
// contiguous across them (a contiguous tensor becomes one dim), then each thread turns its linear
// index into one offset per operand.
#pragma once

#include <array>
#include <cstdint>
#include <utility>

#include "tensor/cuda/runtime.cuh"
#include "tensor/tensor.h"

namespace camlab::cuda {

// Dims left after collapsing; more is an Error naming the op (no camlab model comes close).
inline constexpr int kMaxDims = 16;

// Sizes (innermost last) and K operands' strides, in elements, passed to kernels by value.
template <int K>
struct StridedLayout {
  int ndim;
  int64_t sizes[kMaxDims];
  int64_t strides[K][kMaxDims];

  // Offsets of row-major linear index i in each operand.
  __device__ __forceinline__ void offsets(int64_t i, int64_t (&out)[K]) const {
#pragma unroll
    for (int k = 0; k < K; ++k) out[k] = 0;
    for (int d = ndim - 1; d >= 0; --d) {
      const int64_t size = sizes[d];
      const int64_t coordinate = i % size;
      i /= size;
#pragma unroll
      for (int k = 0; k < K; ++k) out[k] += coordinate * strides[k][d];
    }
  }
};

// Drops size-1 dims and merges a dim into the one outside it when every operand steps over the
// inner dim exactly once per outer step. A scalar becomes one dim of size 1.
template <int K>
StridedLayout<K> make_layout(const Shape& shape, const std::array<const Shape*, K>& strides,
                             const char* op) {
  StridedLayout<K> layout{};
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    bool merges = layout.ndim > 0;
    for (int k = 0; k < K && merges; ++k) {
      merges = layout.strides[k][layout.ndim - 1] == (*strides[k])[d] * shape[d];
    }
    if (merges) {
      layout.sizes[layout.ndim - 1] *= shape[d];
      for (int k = 0; k < K; ++k) layout.strides[k][layout.ndim - 1] = (*strides[k])[d];
      continue;
    }
    CAMLAB_CHECK(layout.ndim < kMaxDims,
                 "{}: shape {} has more than {} non-mergeable dims; make the input contiguous", op,
                 shape_str(shape), kMaxDims);
    layout.sizes[layout.ndim] = shape[d];
    for (int k = 0; k < K; ++k) layout.strides[k][layout.ndim] = (*strides[k])[d];
    ++layout.ndim;
  }
  if (layout.ndim == 0) {
    layout.ndim = 1;
    layout.sizes[0] = 1;
    for (int k = 0; k < K; ++k) layout.strides[k][0] = 0;
  }
  return layout;
}

// f applied to input I of each operand at its offset (offset 0 is the output's).
template <typename TOut, typename F, size_t... I, typename... TIn>
__device__ __forceinline__ TOut apply_at(const F& f, const int64_t* offset,
                                         std::index_sequence<I...>, const TIn*... in) {
  return static_cast<TOut>(f(in[offset[I + 1]]...));
}

template <typename F, typename TOut, typename... TIn>
__global__ void elementwise_kernel(int64_t n, StridedLayout<1 + sizeof...(TIn)> layout, F f,
                                   TOut* out, const TIn*... in) {
  constexpr int K = 1 + sizeof...(TIn);
  for (int64_t i = grid_start(); i < n; i += grid_step()) {
    int64_t offset[K];
    layout.offsets(i, offset);
    out[offset[0]] = apply_at<TOut>(f, offset, std::index_sequence_for<TIn...>{}, in...);
  }
}

// out = f(inputs...) elementwise; TOut and TIn... are the C++ types of out's and the inputs'
// dtypes, the inputs already expanded to out's shape.
template <typename TOut, typename... TIn, typename F, typename... Inputs>
void elementwise(const char* op, const F& f, const Tensor& out, const Inputs&... inputs) {
  static_assert(sizeof...(TIn) == sizeof...(Inputs), "one element type per input tensor");
  constexpr int K = 1 + sizeof...(TIn);
  const int64_t n = out.numel();
  if (n == 0) return;
  DeviceGuard guard(out.device());
  const StridedLayout<K> layout =
      make_layout<K>(out.shape(), {&out.strides(), &inputs.strides()...}, op);
  elementwise_kernel<F, TOut, TIn...><<<blocks_for(n), kThreads, 0, current_stream()>>>(
      n, layout, f, out.data<TOut>(), inputs.template data<TIn>()...);
  check_launch(op);
}

// Copies: the conversion to the output dtype happens in elementwise_kernel's static_cast.
struct Identity {
  template <typename T>
  __device__ T operator()(T x) const {
    return x;
  }
};

template <typename F, typename T>
__global__ void generate_kernel(int64_t n, F f, T* out) {
  for (int64_t i = grid_start(); i < n; i += grid_step()) out[i] = f(i);
}

// out[i] = f(i) for a contiguous out, i the linear index (ranges, random fills).
template <typename T, typename F>
void generate(const char* op, const F& f, const Tensor& out) {
  const int64_t n = out.numel();
  if (n == 0) return;
  CAMLAB_CHECK(out.is_contiguous(), "{}: the output must be contiguous, got strides {}", op,
               shape_str(out.strides()));
  DeviceGuard guard(out.device());
  generate_kernel<<<blocks_for(n), kThreads, 0, current_stream()>>>(n, f, out.data<T>());
  check_launch(op);
}

}  // namespace camlab::cuda
