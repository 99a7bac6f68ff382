// Convolution on CUDA as im2col + cuBLAS GEMM, templated on float/double.
//
// Layouts as tensor/cpu/conv2d.cpp: x [N, C, H, W], w [O, C/g, kh, kw], y [N, O, Ho, Wo]. A sample
// unrolls to cols [K, P] with K = C·kh·kw rows ordered (c, ki, kj) and P = Ho·Wo, so group g owns
// rows [g·K/g, (g+1)·K/g) and
//   y_g  = W_g · cols_g              (W_g = w[g·O/g : (g+1)·O/g] viewed as [O/g, K/g])
//   dX   = col2im(W_gᵀ · dY_g)
//   dW_g = Σ_n dY_g · cols_gᵀ
// The forward and input-gradient GEMMs are batched over the samples of a chunk; chunks bound the
// cols workspace. The weight gradient is one GEMM per chunk and group whose inner dimension runs
// over every pixel of every sample of the chunk (see conv2d_backward_weight_typed).
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <algorithm>

#include "tensor/conv_geometry.h"
#include "tensor/cuda/blas.cuh"
#include "tensor/cuda/conv2d.h"
#include "tensor/cuda/loops.cuh"
#include "tensor/cuda/register.h"
#include "tensor/functors.h"
#include "tensor/hd.h"
#include "tensor/op_params.h"

namespace camlab::cuda {
namespace {

// Where im2col writes: cols [samples, K, P] (SampleMajor, the forward's and the input gradient's
// layout) or [K, samples, P] (RowMajor: each row of the chunk is one long row, what the weight
// gradient's single GEMM reads).
enum class ColsLayout { SampleMajor, RowMajor };

// x: [samples, C, H, W] -> cols: [samples, C·kh·kw, Ho·Wo] or [C·kh·kw, samples, Ho·Wo], one
// thread per cols element; padding reads as zero.
template <typename T, ColsLayout layout = ColsLayout::SampleMajor>
__global__ void im2col_kernel(ConvGeometry g, int64_t samples, const T* x, T* cols) {
  const int64_t n_cols = samples * g.col_rows() * g.col_cols();
  for (int64_t i = grid_start(); i < n_cols; i += grid_step()) {
    const int64_t ow = i % g.out_width;
    const int64_t oh = (i / g.out_width) % g.out_height;
    const int64_t row = (i / g.col_cols()) % g.col_rows();  // (c, ki, kj)
    const int64_t n = i / (g.col_cols() * g.col_rows());
    const int64_t kj = row % g.kw, ki = (row / g.kw) % g.kh, c = row / (g.kw * g.kh);
    const int64_t ih = oh * g.sh - g.ph + ki * g.dh;
    const int64_t iw = ow * g.sw - g.pw + kj * g.dw;
    const bool inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width;
    const int64_t at = layout == ColsLayout::SampleMajor
                           ? i
                           : (row * samples + n) * g.col_cols() + oh * g.out_width + ow;
    cols[at] = inside ? x[((n * g.channels + c) * g.height + ih) * g.width + iw] : T(0);
  }
}

// The adjoint of im2col: cols [samples, C·kh·kw, Ho·Wo] -> x [samples, C, H, W]. One thread per
// x element gathers the cols entries that read it, so no two threads write one place.
template <typename T>
__global__ void col2im_kernel(ConvGeometry g, int64_t samples, const T* cols, T* x) {
  const int64_t n_x = samples * g.image_size();
  for (int64_t i = grid_start(); i < n_x; i += grid_step()) {
    const int64_t iw = i % g.width;
    const int64_t ih = (i / g.width) % g.height;
    const int64_t c = (i / (g.width * g.height)) % g.channels;
    const int64_t n = i / g.image_size();
    T sum = 0;
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      const int64_t h = ih + g.ph - ki * g.dh;  // oh·sh when some output row reads ih
      if (h < 0 || h % g.sh != 0 || h / g.sh >= g.out_height) continue;
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        const int64_t w = iw + g.pw - kj * g.dw;
        if (w < 0 || w % g.sw != 0 || w / g.sw >= g.out_width) continue;
        const int64_t row = (c * g.kh + ki) * g.kw + kj;
        sum += cols[(n * g.col_rows() + row) * g.col_cols() + (h / g.sh) * g.out_width + w / g.sw];
      }
    }
    x[i] = sum;
  }
}

template <typename T, ColsLayout layout = ColsLayout::SampleMajor>
void launch_im2col(const ConvGeometry& g, int64_t samples, const T* x, T* cols) {
  const int64_t n = samples * g.col_rows() * g.col_cols();
  if (n == 0) return;
  im2col_kernel<T, layout><<<blocks_for(n), kThreads, 0, current_stream()>>>(g, samples, x, cols);
  check_launch("im2col");
}

template <typename T>
void launch_col2im(const ConvGeometry& g, int64_t samples, const T* cols, T* x) {
  const int64_t n = samples * g.image_size();
  if (n == 0) return;
  col2im_kernel<<<blocks_for(n), kThreads, 0, current_stream()>>>(g, samples, cols, x);
  check_launch("col2im");
}

// x: [N, C, H, W] -> cols: [N, C·kh·kw, Ho·Wo]
void im2col_op(const KernelArgs& args) {
  const Tensor x = args.inputs[0].contiguous();
  const Tensor& cols = args.outputs[0];
  const ConvGeometry g = make_conv_geometry(x.shape(), 0, args.get<Conv2dParams>());
  DeviceGuard guard(x.device());
  visit_floating(x.dtype(), "im2col",
                 [&]<typename T>() { launch_im2col(g, g.batch, x.data<T>(), cols.data<T>()); });
}

// cols: [N, C·kh·kw, Ho·Wo] -> x: [N, C, H, W], overlapping windows summed
void col2im_op(const KernelArgs& args) {
  const Tensor cols = args.inputs[0].contiguous();
  const Tensor& x = args.outputs[0];
  const ConvGeometry g = make_conv_geometry(x.shape(), 0, args.get<Conv2dParams>());
  DeviceGuard guard(x.device());
  visit_floating(x.dtype(), "col2im",
                 [&]<typename T>() { launch_col2im(g, g.batch, cols.data<T>(), x.data<T>()); });
}

// ---- fused kernels -----------------------------------------------------------------------------

// Samples per chunk so that one chunk's cols stays under 256 MiB (at least one sample).
int64_t chunk_samples(const ConvGeometry& g, size_t element_size) {
  constexpr int64_t kWorkspaceBytes = int64_t{256} << 20;
  const int64_t per_sample =
      std::max<int64_t>(g.col_rows() * g.col_cols(), 1) * static_cast<int64_t>(element_size);
  return std::clamp<int64_t>(kWorkspaceBytes / per_sample, 1, std::max<int64_t>(g.batch, 1));
}

// cols for samples [n0, n0 + count): x itself for a 1x1 convolution, else unrolled into `work`.
template <typename T>
const T* chunk_cols(const ConvGeometry& g, const T* x, int64_t n0, int64_t count, T* work) {
  const T* x_chunk = x + n0 * g.image_size();
  if (g.cols_are_input()) return x_chunk;
  launch_im2col(g, count, x_chunk, work);
  return work;
}

// x: [N, C, H, W], w: [O, C/groups, kh, kw], b: [O] (optional) -> y: [N, O, Ho, Wo]
template <typename T>
void conv2d_forward_typed(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& w = args.inputs[1];  // [O, K/g]
  const bool has_bias = args.inputs.size() > 2 && args.inputs[2].defined();
  const Tensor& y = args.outputs[0];
  const ConvGeometry g = make_conv_geometry(x.shape(), w.size(0), args.get<Conv2dParams>());
  const int64_t K = g.col_rows(), Kg = g.group_col_rows(), P = g.col_cols();
  const int64_t Og = g.group_out_channels();
  if (y.numel() == 0) return;
  DeviceGuard guard(x.device());
  T beta = 0;
  if (has_bias) {  // y starts as the bias broadcast over samples and pixels; the GEMM adds onto it
    const Tensor bias = args.inputs[2].view({1, g.out_channels, 1, 1}).expand(y.shape());
    elementwise<T, T>("conv2d", Identity{}, y, bias);
    beta = 1;
  }
  const int64_t chunk = chunk_samples(g, sizeof(T));
  Tensor work;  // [chunk, K, P]
  if (!g.cols_are_input()) work = Tensor::empty({chunk, K, P}, x.dtype(), x.device());
  for (int64_t n0 = 0; n0 < g.batch; n0 += chunk) {
    const int64_t count = std::min(chunk, g.batch - n0);
    const T* cols =
        chunk_cols(g, x.data<T>(), n0, count, work.defined() ? work.data<T>() : nullptr);
    T* y_chunk = y.data<T>() + n0 * g.out_channels * P;
    for (int64_t group = 0; group < g.groups; ++group) {
      // y_g [O/g, P] = W_g [O/g, K/g] · cols_g [K/g, P], per sample
      gemm_batched<T>(false, false, Og, P, Kg, T(1), w.data<T>() + group * Og * Kg, Kg, 0,
                      cols + group * Kg * P, P, K * P, beta, y_chunk + group * Og * P, P,
                      g.out_channels * P, count);
    }
  }
  // The fused ReLU: cuBLAS has no epilogue here, so one in-place pass; what it saves over a
  // separate relu op is the second tensor.
  if (args.get<Conv2dParams>().relu) elementwise<T, T>("conv2d", fn::Relu{}, y, y);
}

// grad_y: [N, O, Ho, Wo], w: [O, C/groups, kh, kw] -> grad_x: [N, C, H, W]
template <typename T>
void conv2d_backward_input_typed(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];
  const Tensor& w = args.inputs[1];
  const Tensor& grad_x = args.outputs[0];
  const ConvGeometry g = make_conv_geometry(grad_x.shape(), w.size(0), args.get<Conv2dParams>());
  const int64_t K = g.col_rows(), Kg = g.group_col_rows(), P = g.col_cols();
  const int64_t Og = g.group_out_channels();
  if (grad_x.numel() == 0) return;
  DeviceGuard guard(grad_x.device());
  const int64_t chunk = chunk_samples(g, sizeof(T));
  Tensor work;  // [chunk, K, P]: dcols
  if (!g.cols_are_input()) work = Tensor::empty({chunk, K, P}, grad_x.dtype(), grad_x.device());
  for (int64_t n0 = 0; n0 < g.batch; n0 += chunk) {
    const int64_t count = std::min(chunk, g.batch - n0);
    T* dx_chunk = grad_x.data<T>() + n0 * g.image_size();
    T* dcols = g.cols_are_input() ? dx_chunk : work.data<T>();
    const T* dy_chunk = grad_y.data<T>() + n0 * g.out_channels * P;
    for (int64_t group = 0; group < g.groups; ++group) {
      // dcols_g [K/g, P] = W_gᵀ [K/g, O/g] · dY_g [O/g, P], per sample
      gemm_batched<T>(true, false, Kg, P, Og, T(1), w.data<T>() + group * Og * Kg, Kg, 0,
                      dy_chunk + group * Og * P, P, g.out_channels * P, T(0),
                      dcols + group * Kg * P, P, K * P, count);
    }
    if (!g.cols_are_input()) launch_col2im(g, count, dcols, dx_chunk);  // dX = col2im(dcols)
  }
}

// grad_y: [N, O, Ho, Wo], x: [N, C, H, W] -> grad_w: [O, C/groups, kh, kw]
template <typename T>
void conv2d_backward_weight_typed(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];
  const Tensor& x = args.inputs[1];
  const Tensor& grad_w = args.outputs[0];  // [O, K/g]
  const ConvGeometry g = make_conv_geometry(x.shape(), grad_w.size(0), args.get<Conv2dParams>());
  const int64_t K = g.col_rows(), Kg = g.group_col_rows(), P = g.col_cols();
  const int64_t Og = g.group_out_channels();
  if (grad_w.numel() == 0) return;
  DeviceGuard guard(x.device());
  if (g.batch == 0 || P == 0) {  // an empty sum
    CAMLAB_CUDA_CHECK(
        cudaMemsetAsync(grad_w.data<T>(), 0, grad_w.numel() * sizeof(T), current_stream()));
    return;
  }
  // One GEMM per chunk and group, as the sum over samples is a sum over the inner dimension:
  //   dW_g [O/g, K/g] (+)= dYt_g [O/g, count·P] · colst_gᵀ [count·P, K/g]
  // with dYt = dY permuted to [O, count, P] and colst = im2col in the RowMajor layout
  // [K, count, P]. Per-sample GEMMs of inner size P alone (784 for a 28×28 map) leave most of the
  // GPU idle; an inner size of count·P keeps it busy.
  const int64_t chunk = chunk_samples(g, sizeof(T));
  const int64_t O = g.out_channels;
  // Workspaces for a whole chunk; a shorter last chunk uses their leading count·P columns densely.
  const Tensor cols_t = Tensor::empty({K * chunk * P}, x.dtype(), x.device());    // [K, chunk, P]
  const Tensor grad_y_t = Tensor::empty({O * chunk * P}, x.dtype(), x.device());  // [O, chunk, P]
  for (int64_t n0 = 0; n0 < g.batch; n0 += chunk) {
    const int64_t count = std::min(chunk, g.batch - n0);
    const int64_t inner = count * P;
    launch_im2col<T, ColsLayout::RowMajor>(g, count, x.data<T>() + n0 * g.image_size(),
                                           cols_t.data<T>());
    // dY [count, O, P] -> dYt [O, count, P]
    const Tensor dy = grad_y.narrow(0, n0, count).view({count, O, P});
    const Tensor dy_t = grad_y_t.narrow(0, 0, O * inner).view({O, count, P});
    elementwise<T, T>("conv2d_backward_weight", Identity{}, dy_t, dy.permute({1, 0, 2}));
    const T beta = n0 == 0 ? T(0) : T(1);  // the first chunk writes, the rest accumulate
    for (int64_t group = 0; group < g.groups; ++group) {
      gemm_batched<T>(false, true, Og, Kg, inner, T(1), dy_t.data<T>() + group * Og * inner, inner,
                      0, cols_t.data<T>() + group * Kg * inner, inner, 0, beta,
                      grad_w.data<T>() + group * Og * Kg, Kg, 0, 1);
    }
  }
}

}  // namespace

void conv2d_forward(const KernelArgs& args) {
  visit_floating(args.inputs[0].dtype(), "conv2d",
                 [&]<typename T>() { conv2d_forward_typed<T>(args); });
}

void conv2d_backward_input(const KernelArgs& args) {
  visit_floating(args.inputs[0].dtype(), "conv2d_backward_input",
                 [&]<typename T>() { conv2d_backward_input_typed<T>(args); });
}

void conv2d_backward_weight(const KernelArgs& args) {
  visit_floating(args.inputs[0].dtype(), "conv2d_backward_weight",
                 [&]<typename T>() { conv2d_backward_weight_typed<T>(args); });
}

void register_conv_kernels(KernelTable& t) {
  t[static_cast<size_t>(Op::im2col)] = im2col_op;
  t[static_cast<size_t>(Op::col2im)] = col2im_op;
  t[static_cast<size_t>(Op::conv2d_forward)] = conv2d_forward;
  t[static_cast<size_t>(Op::conv2d_backward_input)] = conv2d_backward_input;
  t[static_cast<size_t>(Op::conv2d_backward_weight)] = conv2d_backward_weight;
}

}  // namespace camlab::cuda
