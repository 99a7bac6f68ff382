// CUDA batch norm kernels (Ioffe & Szegedy 2015), with the contract of tensor/cpu/batch_norm.cpp:
// x arrives as a 3-d view [N, C, S] with any strides, per-channel vectors [C] contiguous and of
// x's dtype; a channel's statistics run over M = N·S values, accumulated in double.
//
//   batch_norm_stats:    x [N, C, S]                               -> mean [C], var [C] (biased)
//   batch_norm_apply:    x, mean, invstd, weight, bias              -> y [N, C, S]
//   batch_norm_backward: grad_y, x [N, C, S], mean, invstd, weight  -> grad_x [N, C, S] (undefined
//                        in eval: only the parameter sums), grad_weight [C], grad_bias [C]
//
// The per-channel sums run one block per channel; apply runs one thread per element.
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <algorithm>

#include "tensor/cuda/block_reduce.cuh"
#include "tensor/cuda/register.h"

namespace camlab::cuda {
namespace {

// Sizes and strides of a 3-d [N, C, S] view, in elements.
struct View3 {
  int64_t n_size, c_size, s_size;
  int64_t n, c, s;  // strides
  // Offset of the m-th value (m < N·S) of channel c, walking n outer and s inner.
  __device__ int64_t at(int64_t channel, int64_t m) const {
    return (m / s_size) * n + channel * c + (m % s_size) * s;
  }
};

View3 view3(const Tensor& t) {
  return {t.size(0), t.size(1), t.size(2), t.stride(0), t.stride(1), t.stride(2)};
}

// Two passes over each channel: the mean, then the mean squared deviation. Two passes keep var
// accurate when |mean| ≫ std, where E[x²] − E[x]² cancels catastrophically.
template <typename T>
__global__ void stats_kernel(View3 v, const T* x, T* mean, T* var) {
  __shared__ double scratch[kReduceThreads];
  const int64_t count = v.n_size * v.s_size;
  for (int64_t c = blockIdx.x; c < v.c_size; c += gridDim.x) {
    double sum = 0;
    for (int64_t m = threadIdx.x; m < count; m += blockDim.x) sum += double(x[v.at(c, m)]);
    const double mu = block_reduce(sum, scratch, Plus{}) / double(count);
    double squares = 0;
    for (int64_t m = threadIdx.x; m < count; m += blockDim.x) {
      const double d = double(x[v.at(c, m)]) - mu;
      squares += d * d;
    }
    squares = block_reduce(squares, scratch, Plus{});
    if (threadIdx.x == 0) {
      mean[c] = static_cast<T>(mu);
      var[c] = static_cast<T>(squares / double(count));
    }
  }
}

// y = γ·(x − μ)·invstd + β  (Ioffe & Szegedy 2015, Algorithm 1), written as x·scale + shift.
template <typename T>
__global__ void apply_kernel(View3 vx, View3 vy, const T* x, const T* mean, const T* invstd,
                             const T* weight, const T* bias, T* y) {
  const int64_t total = vx.n_size * vx.c_size * vx.s_size;
  for (int64_t i = grid_start(); i < total; i += grid_step()) {
    const int64_t s = i % vx.s_size, c = (i / vx.s_size) % vx.c_size;
    const int64_t n = i / (vx.s_size * vx.c_size);
    const double scale = double(invstd[c]) * double(weight[c]);
    const double shift = double(bias[c]) - double(mean[c]) * scale;
    y[n * vy.n + c * vy.c + s * vy.s] =
        static_cast<T>(double(x[n * vx.n + c * vx.c + s * vx.s]) * scale + shift);
  }
}

// With x̂ = (x − μ)·invstd and M values per channel:
//   dβ = Σ dY,  dγ = Σ dY·x̂,  dX = γ·invstd · (dY − mean(dY) − x̂·mean(dY·x̂))  (training)
// dx is null in eval, where the frontend forms dX = γ·invstd·dY itself.
template <typename T>
__global__ void backward_kernel(View3 vdy, View3 vx, View3 vdx, const T* dy, const T* x,
                                const T* mean, const T* invstd, const T* weight, T* dx,
                                T* grad_weight, T* grad_bias) {
  __shared__ double scratch[kReduceThreads];
  const int64_t count = vx.n_size * vx.s_size;
  for (int64_t c = blockIdx.x; c < vx.c_size; c += gridDim.x) {
    const double mu = double(mean[c]), istd = double(invstd[c]);
    double sum_dy = 0, sum_dy_xhat = 0;
    for (int64_t m = threadIdx.x; m < count; m += blockDim.x) {
      const double g = double(dy[vdy.at(c, m)]);
      sum_dy += g;
      sum_dy_xhat += g * (double(x[vx.at(c, m)]) - mu) * istd;
    }
    sum_dy = block_reduce(sum_dy, scratch, Plus{});
    sum_dy_xhat = block_reduce(sum_dy_xhat, scratch, Plus{});
    if (threadIdx.x == 0) {
      grad_bias[c] = static_cast<T>(sum_dy);
      grad_weight[c] = static_cast<T>(sum_dy_xhat);
    }
    if (dx == nullptr) continue;
    const double k = double(weight[c]) * istd;
    const double mean_dy = sum_dy / double(count), mean_dy_xhat = sum_dy_xhat / double(count);
    for (int64_t m = threadIdx.x; m < count; m += blockDim.x) {
      const double xhat = (double(x[vx.at(c, m)]) - mu) * istd;
      dx[vdx.at(c, m)] =
          static_cast<T>(k * (double(dy[vdy.at(c, m)]) - mean_dy - xhat * mean_dy_xhat));
    }
  }
}

unsigned channel_blocks(int64_t channels) {
  return static_cast<unsigned>(std::clamp<int64_t>(channels, 1, 1 << 20));
}

void stats_op(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];  // [N, C, S]
  if (x.size(1) == 0) return;
  DeviceGuard guard(x.device());
  visit_floating(x.dtype(), "batch_norm_stats", [&]<typename T>() {
    stats_kernel<<<channel_blocks(x.size(1)), kReduceThreads, 0, current_stream()>>>(
        view3(x), x.data<T>(), args.outputs[0].data<T>(), args.outputs[1].data<T>());
    check_launch("batch_norm_stats");
  });
}

void apply_op(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];   // [N, C, S]
  const Tensor& y = args.outputs[0];  // [N, C, S]
  if (x.numel() == 0) return;
  DeviceGuard guard(x.device());
  visit_floating(x.dtype(), "batch_norm_apply", [&]<typename T>() {
    apply_kernel<<<blocks_for(x.numel()), kThreads, 0, current_stream()>>>(
        view3(x), view3(y), x.data<T>(), args.inputs[1].data<T>(), args.inputs[2].data<T>(),
        args.inputs[3].data<T>(), args.inputs[4].data<T>(), y.data<T>());
    check_launch("batch_norm_apply");
  });
}

void backward_op(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];   // [N, C, S]
  const Tensor& x = args.inputs[1];        // [N, C, S]
  const Tensor& grad_x = args.outputs[0];  // [N, C, S] or undefined
  if (x.size(1) == 0) return;
  DeviceGuard guard(x.device());
  visit_floating(x.dtype(), "batch_norm_backward", [&]<typename T>() {
    T* dx = grad_x.defined() ? grad_x.data<T>() : nullptr;
    const View3 vdx = grad_x.defined() ? view3(grad_x) : View3{};
    backward_kernel<<<channel_blocks(x.size(1)), kReduceThreads, 0, current_stream()>>>(
        view3(grad_y), view3(x), vdx, grad_y.data<T>(), x.data<T>(), args.inputs[2].data<T>(),
        args.inputs[3].data<T>(), args.inputs[4].data<T>(), dx, args.outputs[1].data<T>(),
        args.outputs[2].data<T>());
    check_launch("batch_norm_backward");
  });
}

}  // namespace

void register_batch_norm_kernels(KernelTable& t) {
  t[static_cast<size_t>(Op::batch_norm_stats)] = stats_op;
  t[static_cast<size_t>(Op::batch_norm_apply)] = apply_op;
  t[static_cast<size_t>(Op::batch_norm_backward)] = backward_op;
}

}  // namespace camlab::cuda
