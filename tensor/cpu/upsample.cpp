// Resizing on the CPU: bilinear (both align_corners conventions) and PyTorch's legacy nearest,
// with their backwards. Source coordinates are computed once per output row and column; planes
// run in parallel. Inputs arrive contiguous (tensor/ops/upsample.cpp).
#include <algorithm>
#include <cmath>
#include <vector>

#include "tensor/cpu/loops.h"
#include "tensor/cpu/register.h"
#include "tensor/op_params.h"

namespace camlab::cpu {
namespace {

// Output index o reads input indices i0 and i1 with weights w0 and w1.
template <typename T>
struct Lerp {
  int64_t i0, i1;
  T w0, w1;
};

// PyTorch's area_pixel_compute_scale / area_pixel_compute_source_index for linear modes:
// align_corners maps the corner pixel centres onto each other, src = o·(in − 1)/(out − 1);
// otherwise pixel centres are half-pixel offsets, src = (o + ½)·in/out − ½, clamped at 0.
template <typename T>
std::vector<Lerp<T>> linear_taps(int64_t in, int64_t out, bool align_corners) {
  const double scale =
      align_corners ? (out > 1 ? double(in - 1) / double(out - 1) : 0.0) : double(in) / double(out);
  std::vector<Lerp<T>> taps(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    const double src =
        align_corners ? scale * double(o) : std::max(scale * (double(o) + 0.5) - 0.5, 0.0);
    const auto i0 = static_cast<int64_t>(src);  // src ≥ 0, so this is ⌊src⌋
    const int64_t i1 = i0 < in - 1 ? i0 + 1 : i0;
    const double frac = src - double(i0);
    taps[o] = {i0, i1, T(1.0 - frac), T(frac)};
  }
  return taps;
}

// PyTorch's legacy 'nearest': src = min(⌊o · in/out⌋, in − 1), in single precision as PyTorch
// computes it, so the rare index that rounding moves moves the same way.
std::vector<int64_t> nearest_taps(int64_t in, int64_t out) {
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  std::vector<int64_t> taps(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    taps[o] = std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) * scale)), in - 1);
  }
  return taps;
}

template <typename Fn>
void for_each_plane(int64_t planes, int64_t work_per_plane, Fn&& fn) {
#pragma omp parallel for schedule(static) if (planes * work_per_plane >= kParallelGrain)
  for (int64_t i = 0; i < planes; ++i) fn(i);
}

// x: [N, C, H, W] -> y: [N, C, Ho, Wo]
void upsample_bilinear2d_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& y = args.outputs[0];
  const bool align = args.get<UpsampleParams>().align_corners;
  const int64_t H = x.size(2), W = x.size(3), Ho = y.size(2), Wo = y.size(3);
  visit_floating(x.dtype(), "upsample_bilinear2d", [&]<typename T>() {
    const auto rows = linear_taps<T>(H, Ho, align);
    const auto cols = linear_taps<T>(W, Wo, align);
    const T* x_data = x.data<T>();
    T* y_data = y.data<T>();
    for_each_plane(x.size(0) * x.size(1), 4 * Ho * Wo, [&](int64_t i) {
      const T* plane = x_data + i * H * W;
      T* out = y_data + i * Ho * Wo;
      for (int64_t oh = 0; oh < Ho; ++oh) {
        const Lerp<T>& r = rows[oh];
        const T* top = plane + r.i0 * W;
        const T* bottom = plane + r.i1 * W;
        for (int64_t ow = 0; ow < Wo; ++ow) {
          const Lerp<T>& c = cols[ow];
          out[oh * Wo + ow] = r.w0 * (c.w0 * top[c.i0] + c.w1 * top[c.i1]) +
                              r.w1 * (c.w0 * bottom[c.i0] + c.w1 * bottom[c.i1]);
        }
      }
    });
  });
}

// grad_y: [N, C, Ho, Wo] -> grad_x: [N, C, H, W]; each output's gradient goes back to its four
// taps with the same weights
void upsample_bilinear2d_backward_kernel(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];
  const Tensor& grad_x = args.outputs[0];
  const bool align = args.get<UpsampleParams>().align_corners;
  const int64_t H = grad_x.size(2), W = grad_x.size(3), Ho = grad_y.size(2), Wo = grad_y.size(3);
  visit_floating(grad_y.dtype(), "upsample_bilinear2d_backward", [&]<typename T>() {
    const auto rows = linear_taps<T>(H, Ho, align);
    const auto cols = linear_taps<T>(W, Wo, align);
    const T* dy = grad_y.data<T>();
    T* dx = grad_x.data<T>();
    for_each_plane(grad_x.size(0) * grad_x.size(1), 4 * Ho * Wo + H * W, [&](int64_t i) {
      T* plane = dx + i * H * W;
      const T* g = dy + i * Ho * Wo;
      std::fill(plane, plane + H * W, T(0));
      for (int64_t oh = 0; oh < Ho; ++oh) {
        const Lerp<T>& r = rows[oh];
        T* top = plane + r.i0 * W;
        T* bottom = plane + r.i1 * W;
        for (int64_t ow = 0; ow < Wo; ++ow) {
          const Lerp<T>& c = cols[ow];
          const T v = g[oh * Wo + ow];
          top[c.i0] += r.w0 * c.w0 * v;
          top[c.i1] += r.w0 * c.w1 * v;
          bottom[c.i0] += r.w1 * c.w0 * v;
          bottom[c.i1] += r.w1 * c.w1 * v;
        }
      }
    });
  });
}

// x: [N, C, H, W] -> y: [N, C, Ho, Wo]
void upsample_nearest2d_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& y = args.outputs[0];
  const int64_t H = x.size(2), W = x.size(3), Ho = y.size(2), Wo = y.size(3);
  const auto rows = nearest_taps(H, Ho);
  const auto cols = nearest_taps(W, Wo);
  visit_floating(x.dtype(), "upsample_nearest2d", [&]<typename T>() {
    const T* x_data = x.data<T>();
    T* y_data = y.data<T>();
    for_each_plane(x.size(0) * x.size(1), Ho * Wo, [&](int64_t i) {
      const T* plane = x_data + i * H * W;
      T* out = y_data + i * Ho * Wo;
      for (int64_t oh = 0; oh < Ho; ++oh) {
        const T* src = plane + rows[oh] * W;
        for (int64_t ow = 0; ow < Wo; ++ow) out[oh * Wo + ow] = src[cols[ow]];
      }
    });
  });
}

// grad_y: [N, C, Ho, Wo] -> grad_x: [N, C, H, W]; dX[src(o)] += dY[o]
void upsample_nearest2d_backward_kernel(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];
  const Tensor& grad_x = args.outputs[0];
  const int64_t H = grad_x.size(2), W = grad_x.size(3), Ho = grad_y.size(2), Wo = grad_y.size(3);
  const auto rows = nearest_taps(H, Ho);
  const auto cols = nearest_taps(W, Wo);
  visit_floating(grad_y.dtype(), "upsample_nearest2d_backward", [&]<typename T>() {
    const T* dy = grad_y.data<T>();
    T* dx = grad_x.data<T>();
    for_each_plane(grad_x.size(0) * grad_x.size(1), Ho * Wo + H * W, [&](int64_t i) {
      T* plane = dx + i * H * W;
      const T* g = dy + i * Ho * Wo;
      std::fill(plane, plane + H * W, T(0));
      for (int64_t oh = 0; oh < Ho; ++oh) {
        T* dst = plane + rows[oh] * W;
        for (int64_t ow = 0; ow < Wo; ++ow) dst[cols[ow]] += g[oh * Wo + ow];
      }
    });
  });
}

}  // namespace

// Declared in cpu/pool.cpp, which registers the image kernels as one family.
void register_upsample_kernels(KernelTable& t) {
  t[static_cast<size_t>(Op::upsample_bilinear2d)] = upsample_bilinear2d_kernel;
  t[static_cast<size_t>(Op::upsample_bilinear2d_backward)] = upsample_bilinear2d_backward_kernel;
  t[static_cast<size_t>(Op::upsample_nearest2d)] = upsample_nearest2d_kernel;
  t[static_cast<size_t>(Op::upsample_nearest2d_backward)] = upsample_nearest2d_backward_kernel;
}

}  // namespace camlab::cpu
