// Resizing on CUDA: bilinear (both align_corners conventions) and PyTorch's legacy nearest, with
// their backwards. Inputs arrive contiguous (tensor/ops/upsample.cpp). One thread per output
// element; the backwards zero grad_x and scatter each output's gradient to its taps with
// atomicAdd (neighbouring outputs share taps). Tap rules as tensor/cpu/upsample.cpp.
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include "tensor/cuda/register.h"
#include "tensor/op_params.h"

namespace camlab::cuda {
namespace {

// Output index o reads input indices i0 and i1 with weights w0 and w1.
template <typename T>
struct Lerp {
  int64_t i0, i1;
  T w0, w1;
};

// PyTorch's area_pixel_compute_source_index for linear modes: align_corners maps the corner
// pixel centres onto each other, src = o·(in − 1)/(out − 1); otherwise pixel centres are
// half-pixel offsets, src = (o + ½)·in/out − ½, clamped at 0. In double, as on the CPU; `scale`
// comes from linear_scale on the host.
template <typename T>
__device__ Lerp<T> linear_tap(int64_t o, int64_t in, double scale, bool align_corners) {
  double src = align_corners ? __dmul_rn(scale, double(o))
                             : __dadd_rn(__dmul_rn(scale, __dadd_rn(double(o), 0.5)), -0.5);
  if (src < 0) src = 0;
  const auto i0 = static_cast<int64_t>(src);  // src ≥ 0, so this is ⌊src⌋
  const int64_t i1 = i0 < in - 1 ? i0 + 1 : i0;
  const double frac = src - double(i0);
  return {i0, i1, T(1.0 - frac), T(frac)};
}

double linear_scale(int64_t in, int64_t out, bool align_corners) {
  return align_corners ? (out > 1 ? double(in - 1) / double(out - 1) : 0.0)
                       : double(in) / double(out);
}

// PyTorch's legacy 'nearest': src = min(⌊o · in/out⌋, in − 1), in single precision as PyTorch
// computes it (scale = float(in)/float(out) from the host).
__device__ int64_t nearest_tap(int64_t o, int64_t in, float scale) {
  const auto src = static_cast<int64_t>(floorf(__fmul_rn(static_cast<float>(o), scale)));
  return src < in - 1 ? src : in - 1;
}

struct ResizeGeometry {
  int64_t planes, H, W, Ho, Wo;  // planes = N·C; input H×W, output Ho×Wo
  bool align_corners;
  double row_scale, col_scale;     // bilinear
  float row_scale_f, col_scale_f;  // nearest
};

ResizeGeometry make_geometry(const Tensor& input, const Tensor& output, bool align_corners) {
  ResizeGeometry g{};
  g.planes = input.size(0) * input.size(1);
  g.H = input.size(2);
  g.W = input.size(3);
  g.Ho = output.size(2);
  g.Wo = output.size(3);
  g.align_corners = align_corners;
  g.row_scale = linear_scale(g.H, g.Ho, align_corners);
  g.col_scale = linear_scale(g.W, g.Wo, align_corners);
  g.row_scale_f = static_cast<float>(g.H) / static_cast<float>(g.Ho);
  g.col_scale_f = static_cast<float>(g.W) / static_cast<float>(g.Wo);
  return g;
}

// x: [N, C, H, W] -> y: [N, C, Ho, Wo]
template <typename T>
__global__ void bilinear_kernel(ResizeGeometry g, const T* x, T* y) {
  for (int64_t i = grid_start(); i < g.planes * g.Ho * g.Wo; i += grid_step()) {
    const int64_t ow = i % g.Wo, oh = (i / g.Wo) % g.Ho, plane = i / (g.Ho * g.Wo);
    const Lerp<T> r = linear_tap<T>(oh, g.H, g.row_scale, g.align_corners);
    const Lerp<T> c = linear_tap<T>(ow, g.W, g.col_scale, g.align_corners);
    const T* top = x + plane * g.H * g.W + r.i0 * g.W;
    const T* bottom = x + plane * g.H * g.W + r.i1 * g.W;
    y[i] = r.w0 * (c.w0 * top[c.i0] + c.w1 * top[c.i1]) +
           r.w1 * (c.w0 * bottom[c.i0] + c.w1 * bottom[c.i1]);
  }
}

// grad_y: [N, C, Ho, Wo] -> grad_x: [N, C, H, W] (zeroed); each output's gradient goes back to
// its four taps with the same weights
template <typename T>
__global__ void bilinear_backward_kernel(ResizeGeometry g, const T* dy, T* dx) {
  for (int64_t i = grid_start(); i < g.planes * g.Ho * g.Wo; i += grid_step()) {
    const int64_t ow = i % g.Wo, oh = (i / g.Wo) % g.Ho, plane = i / (g.Ho * g.Wo);
    const Lerp<T> r = linear_tap<T>(oh, g.H, g.row_scale, g.align_corners);
    const Lerp<T> c = linear_tap<T>(ow, g.W, g.col_scale, g.align_corners);
    T* top = dx + plane * g.H * g.W + r.i0 * g.W;
    T* bottom = dx + plane * g.H * g.W + r.i1 * g.W;
    const T v = dy[i];
    atomicAdd(top + c.i0, r.w0 * c.w0 * v);
    atomicAdd(top + c.i1, r.w0 * c.w1 * v);
    atomicAdd(bottom + c.i0, r.w1 * c.w0 * v);
    atomicAdd(bottom + c.i1, r.w1 * c.w1 * v);
  }
}

// x: [N, C, H, W] -> y: [N, C, Ho, Wo]
template <typename T>
__global__ void nearest_kernel(ResizeGeometry g, const T* x, T* y) {
  for (int64_t i = grid_start(); i < g.planes * g.Ho * g.Wo; i += grid_step()) {
    const int64_t ow = i % g.Wo, oh = (i / g.Wo) % g.Ho, plane = i / (g.Ho * g.Wo);
    const int64_t ih = nearest_tap(oh, g.H, g.row_scale_f);
    const int64_t iw = nearest_tap(ow, g.W, g.col_scale_f);
    y[i] = x[(plane * g.H + ih) * g.W + iw];
  }
}

// grad_y: [N, C, Ho, Wo] -> grad_x: [N, C, H, W] (zeroed); dX[src(o)] += dY[o]
template <typename T>
__global__ void nearest_backward_kernel(ResizeGeometry g, const T* dy, T* dx) {
  for (int64_t i = grid_start(); i < g.planes * g.Ho * g.Wo; i += grid_step()) {
    const int64_t ow = i % g.Wo, oh = (i / g.Wo) % g.Ho, plane = i / (g.Ho * g.Wo);
    const int64_t ih = nearest_tap(oh, g.H, g.row_scale_f);
    const int64_t iw = nearest_tap(ow, g.W, g.col_scale_f);
    atomicAdd(dx + (plane * g.H + ih) * g.W + iw, dy[i]);
  }
}

template <bool kBilinear>
void resize_op(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& y = args.outputs[0];
  const char* op = kBilinear ? "upsample_bilinear2d" : "upsample_nearest2d";
  const bool align = kBilinear && args.get<UpsampleParams>().align_corners;
  const ResizeGeometry g = make_geometry(x, y, align);
  if (y.numel() == 0) return;
  DeviceGuard guard(x.device());
  visit_floating(x.dtype(), op, [&]<typename T>() {
    const unsigned blocks = blocks_for(y.numel());
    if constexpr (kBilinear) {
      bilinear_kernel<<<blocks, kThreads, 0, current_stream()>>>(g, x.data<T>(), y.data<T>());
    } else {
      nearest_kernel<<<blocks, kThreads, 0, current_stream()>>>(g, x.data<T>(), y.data<T>());
    }
    check_launch(op);
  });
}

template <bool kBilinear>
void resize_backward_op(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];
  const Tensor& grad_x = args.outputs[0];
  const char* op = kBilinear ? "upsample_bilinear2d_backward" : "upsample_nearest2d_backward";
  const bool align = kBilinear && args.get<UpsampleParams>().align_corners;
  const ResizeGeometry g = make_geometry(grad_x, grad_y, align);
  if (grad_x.numel() == 0) return;
  DeviceGuard guard(grad_y.device());
  visit_floating(grad_y.dtype(), op, [&]<typename T>() {
    CAMLAB_CUDA_CHECK(
        cudaMemsetAsync(grad_x.data<T>(), 0, grad_x.numel() * sizeof(T), current_stream()));
    if (grad_y.numel() == 0) return;
    const unsigned blocks = blocks_for(grad_y.numel());
    if constexpr (kBilinear) {
      bilinear_backward_kernel<<<blocks, kThreads, 0, current_stream()>>>(g, grad_y.data<T>(),
                                                                          grad_x.data<T>());
    } else {
      nearest_backward_kernel<<<blocks, kThreads, 0, current_stream()>>>(g, grad_y.data<T>(),
                                                                         grad_x.data<T>());
    }
    check_launch(op);
  });
}

}  // namespace

void register_upsample_kernels(KernelTable& t) {
  t[static_cast<size_t>(Op::upsample_bilinear2d)] = resize_op<true>;
  t[static_cast<size_t>(Op::upsample_bilinear2d_backward)] = resize_backward_op<true>;
  t[static_cast<size_t>(Op::upsample_nearest2d)] = resize_op<false>;
  t[static_cast<size_t>(Op::upsample_nearest2d_backward)] = resize_backward_op<false>;
}

}  // namespace camlab::cuda
