// CPU batch norm kernels (Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep Network
// Training by Reducing Internal Covariate Shift"). The frontend (tensor/ops/batch_norm.cpp) hands
// every kernel x as a 3-d view [N, C, S] (S = H·W, or 1 for [N, C] input) with any strides, and
// per-channel vectors [C] that are contiguous and of x's dtype. A channel's statistics run over
// M = N·S values, accumulated in double whatever the dtype.
//
//   batch_norm_stats:    x [N, C, S]                               -> mean [C], var [C] (biased)
//   batch_norm_apply:    x, mean, invstd, weight, bias              -> y [N, C, S]
//   batch_norm_backward: grad_y, x [N, C, S], mean, invstd, weight  -> grad_x [N, C, S] (may be
//                        undefined: only the parameter sums), grad_weight [C], grad_bias [C]
#include <cstdint>

#include "tensor/cpu/loops.h"
#include "tensor/cpu/register.h"

namespace camlab::cpu {

void register_dropout_kernels(KernelTable& table);  // cpu/dropout.cpp

namespace {

// Strides of a 3-d [N, C, S] view, in elements.
struct Strides3 {
  int64_t n, c, s;
};

Strides3 strides3(const Tensor& t) { return {t.stride(0), t.stride(1), t.stride(2)}; }

// Below this many elements per channel loop, threads cost more than they save.
bool parallel_over_channels(const Shape& shape) { return numel(shape) >= kParallelGrain; }

// Two passes over each channel: the mean, then the mean squared deviation. Two passes keep
// var accurate when |mean| ≫ std, where E[x²] − E[x]² cancels catastrophically.
void batch_norm_stats_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];  // [N, C, S]
  visit_floating(x.dtype(), "batch_norm_stats", [&]<typename T>() {
    const T* px = x.data<T>();
    T* mean = args.outputs[0].data<T>();  // [C]
    T* var = args.outputs[1].data<T>();   // [C]
    const int64_t n_size = x.size(0), channels = x.size(1), s_size = x.size(2);
    const Strides3 st = strides3(x);
    const double count = static_cast<double>(n_size * s_size);
#pragma omp parallel for schedule(static) if (parallel_over_channels(x.shape()))
    for (int64_t c = 0; c < channels; ++c) {
      double sum = 0;
      for (int64_t n = 0; n < n_size; ++n) {
        const T* row = px + n * st.n + c * st.c;
        for (int64_t s = 0; s < s_size; ++s) sum += static_cast<double>(row[s * st.s]);
      }
      const double mu = sum / count;
      double squares = 0;
      for (int64_t n = 0; n < n_size; ++n) {
        const T* row = px + n * st.n + c * st.c;
        for (int64_t s = 0; s < s_size; ++s) {
          const double d = static_cast<double>(row[s * st.s]) - mu;
          squares += d * d;
        }
      }
      mean[c] = static_cast<T>(mu);
      var[c] = static_cast<T>(squares / count);
    }
  });
}

// y = γ·(x − μ)·invstd + β  (Ioffe & Szegedy 2015, Algorithm 1), written as x·scale + shift.
void batch_norm_apply_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];   // [N, C, S]
  const Tensor& y = args.outputs[0];  // [N, C, S]
  visit_floating(x.dtype(), "batch_norm_apply", [&]<typename T>() {
    const T* px = x.data<T>();
    const T* mean = args.inputs[1].data<T>();    // [C]
    const T* invstd = args.inputs[2].data<T>();  // [C]
    const T* weight = args.inputs[3].data<T>();  // [C]
    const T* bias = args.inputs[4].data<T>();    // [C]
    T* py = y.data<T>();
    const int64_t n_size = x.size(0), channels = x.size(1), s_size = x.size(2);
    const Strides3 sx = strides3(x), sy = strides3(y);
#pragma omp parallel for collapse(2) schedule(static) if (parallel_over_channels(x.shape()))
    for (int64_t n = 0; n < n_size; ++n) {
      for (int64_t c = 0; c < channels; ++c) {
        const double scale = static_cast<double>(invstd[c]) * static_cast<double>(weight[c]);
        const double shift = static_cast<double>(bias[c]) - static_cast<double>(mean[c]) * scale;
        const T* in = px + n * sx.n + c * sx.c;
        T* out = py + n * sy.n + c * sy.c;
        for (int64_t s = 0; s < s_size; ++s) {
          out[s * sy.s] = static_cast<T>(static_cast<double>(in[s * sx.s]) * scale + shift);
        }
      }
    }
  });
}

// With x̂ = (x − μ)·invstd and M = N·S values per channel (Ioffe & Szegedy 2015, section 3,
// the chain rule through μ and σ² folded into one expression):
//   dβ = Σ dY
//   dγ = Σ dY·x̂
//   dX = γ·invstd/M · (M·dY − Σ dY − x̂·Σ dY·x̂)     (training: μ, σ² depend on x)
// In eval the statistics are constants and dX = γ·invstd·dY, which the frontend computes
// elementwise; it then passes grad_x undefined and only the sums are formed here.
void batch_norm_backward_kernel(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];   // [N, C, S]
  const Tensor& x = args.inputs[1];        // [N, C, S]
  const Tensor& grad_x = args.outputs[0];  // [N, C, S] or undefined
  visit_floating(x.dtype(), "batch_norm_backward", [&]<typename T>() {
    const T* pdy = grad_y.data<T>();
    const T* px = x.data<T>();
    const T* mean = args.inputs[2].data<T>();    // [C]
    const T* invstd = args.inputs[3].data<T>();  // [C]
    const T* weight = args.inputs[4].data<T>();  // [C]
    T* grad_weight = args.outputs[1].data<T>();  // [C]
    T* grad_bias = args.outputs[2].data<T>();    // [C]
    T* pdx = grad_x.defined() ? grad_x.data<T>() : nullptr;
    const int64_t n_size = x.size(0), channels = x.size(1), s_size = x.size(2);
    const Strides3 sdy = strides3(grad_y), sx = strides3(x);
    const Strides3 sdx = grad_x.defined() ? strides3(grad_x) : Strides3{0, 0, 0};
    const double count = static_cast<double>(n_size * s_size);
#pragma omp parallel for schedule(static) if (parallel_over_channels(x.shape()))
    for (int64_t c = 0; c < channels; ++c) {
      const double mu = static_cast<double>(mean[c]), istd = static_cast<double>(invstd[c]);
      double sum_dy = 0, sum_dy_xhat = 0;
      for (int64_t n = 0; n < n_size; ++n) {
        const T* dy = pdy + n * sdy.n + c * sdy.c;
        const T* in = px + n * sx.n + c * sx.c;
        for (int64_t s = 0; s < s_size; ++s) {
          const double g = static_cast<double>(dy[s * sdy.s]);
          sum_dy += g;
          sum_dy_xhat += g * (static_cast<double>(in[s * sx.s]) - mu) * istd;
        }
      }
      grad_bias[c] = static_cast<T>(sum_dy);
      grad_weight[c] = static_cast<T>(sum_dy_xhat);
      if (pdx == nullptr) continue;
      // dX = k·(dY − mean(dY) − x̂·mean(dY·x̂)), k = γ·invstd: the training formula over M.
      const double k = static_cast<double>(weight[c]) * istd;
      const double mean_dy = sum_dy / count, mean_dy_xhat = sum_dy_xhat / count;
      for (int64_t n = 0; n < n_size; ++n) {
        const T* dy = pdy + n * sdy.n + c * sdy.c;
        const T* in = px + n * sx.n + c * sx.c;
        T* dx = pdx + n * sdx.n + c * sdx.c;
        for (int64_t s = 0; s < s_size; ++s) {
          const double xhat = (static_cast<double>(in[s * sx.s]) - mu) * istd;
          dx[s * sdx.s] = static_cast<T>(
              k * (static_cast<double>(dy[s * sdy.s]) - mean_dy - xhat * mean_dy_xhat));
        }
      }
    }
  });
}

}  // namespace

void register_norm_kernels(KernelTable& t) {
  t[static_cast<size_t>(Op::batch_norm_stats)] = batch_norm_stats_kernel;
  t[static_cast<size_t>(Op::batch_norm_apply)] = batch_norm_apply_kernel;
  t[static_cast<size_t>(Op::batch_norm_backward)] = batch_norm_backward_kernel;
  register_dropout_kernels(t);
}

}  // namespace camlab::cpu
