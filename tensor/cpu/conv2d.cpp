// Convolution on the CPU as im2col + GEMM (OpenBLAS), templated on float/double.
//
// Layouts: x [N, C, H, W], w [O, C/g, kh, kw], y [N, O, Ho, Wo]. One sample's group unrolls to
// cols [K, P] (tensor/cpu/im2col.h: K = (C/g)·kh·kw, P = Ho × the layout's row width), so that
//   y_gᵀ = colsᵀ · W_gᵀ          W_g = w[g·O/g : (g+1)·O/g] viewed as [O/g, K]
//   dcols = W_gᵀ · dY_g,  dX = col2im(dcols)
//   dW_gᵀ = Σ_n cols · dY_gᵀ
// The forward and weight products are computed transposed because OpenBLAS runs them ~30%
// faster with the long P or K side as the rows of the result than with the 32-row O/g side
// (measured with single-threaded sgemm on this machine's AVX-512 cores).
//
// Float32 convolutions with unit stride skip all of this on AVX-512 builds: an implicit GEMM
// with our own register-blocked tiles reads the padded input in place (tensor/cpu/
// conv2d_avx512.h; ~1.8x the OpenBLAS path). Double, other strides and non-AVX-512
// builds take the path below.
//
// Why the GEMM lives here instead of going through ops::matmul: the whole-batch cols of the
// reference layer (64 × 288 × 784 floats, 58 MB) would stream through memory twice, which costs
// more than the GEMMs themselves. Here each OpenMP thread owns one sample-sized workspace
// (about 1 MB, mostly L2-resident), unrolls a sample into it and runs a single-threaded GEMM.
#include "tensor/cpu/conv2d.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <memory>
#include <type_traits>
#include <vector>

#include "tensor/cpu/conv2d_avx512.h"
#include "tensor/cpu/depthwise_conv2d.h"
#include "tensor/cpu/im2col.h"
#include "tensor/cpu/loops.h"
#include "tensor/cpu/register.h"
#include "tensor/cpu/zeroed_scratch.h"
#include "tensor/functors.h"
#include "tensor/op_params.h"

namespace camlab::cpu {
namespace {

// x: [N, C, H, W] -> cols: [N, C·kh·kw, Ho·Wo]
void im2col_kernel(const KernelArgs& args) {
  const Tensor x = args.inputs[0].contiguous();
  const Tensor& cols = args.outputs[0];
  const ConvGeometry g = make_conv_geometry(x.shape(), 0, args.get<Conv2dParams>());
  const int64_t planes = g.batch * g.channels;
  const int64_t rows_per_plane = g.kh * g.kw * g.col_cols();
  visit_floating(x.dtype(), "im2col", [&]<typename T>() {
    const T* src = x.data<T>();
    T* dst = cols.data<T>();
#pragma omp parallel for schedule(static) if (planes * rows_per_plane >= kParallelGrain)
    for (int64_t i = 0; i < planes; ++i) {
      im2col_channels(src + i * g.plane(), 1, g, dst + i * rows_per_plane);
    }
  });
}

// cols: [N, C·kh·kw, Ho·Wo] -> x: [N, C, H, W], overlapping windows summed
void col2im_kernel(const KernelArgs& args) {
  const Tensor cols = args.inputs[0].contiguous();
  const Tensor& x = args.outputs[0];
  const ConvGeometry g = make_conv_geometry(x.shape(), 0, args.get<Conv2dParams>());
  const int64_t planes = g.batch * g.channels;
  const int64_t rows_per_plane = g.kh * g.kw * g.col_cols();
  visit_floating(x.dtype(), "col2im", [&]<typename T>() {
    const T* src = cols.data<T>();
    T* dst = x.data<T>();
    // Each (n, c) plane receives only its own kh·kw rows, so planes never race.
#pragma omp parallel for schedule(static) if (planes * rows_per_plane >= kParallelGrain)
    for (int64_t i = 0; i < planes; ++i) {
      std::fill(dst + i * g.plane(), dst + (i + 1) * g.plane(), T(0));
      col2im_channels(src + i * rows_per_plane, 1, g, dst + i * g.plane());
    }
  });
}

// ---- GEMM on OpenBLAS --------------------------------------------------------------------------

// Row-major C [m, n] = alpha · op(A) · op(B) + beta · C.
template <typename T>
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
          int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  const CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
  lda = std::max<int64_t>(lda, 1);
  ldb = std::max<int64_t>(ldb, 1);
  ldc = std::max<int64_t>(ldc, 1);
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  } else {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
}

// OpenBLAS (pthread build) would start its own threads inside every OpenMP thread; one BLAS
// thread per OpenMP thread keeps the cores from being oversubscribed. Restored on scope exit.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas() : previous_(openblas_get_num_threads()) {
    if (previous_ != 1) openblas_set_num_threads(1);
  }
  ~SingleThreadedBlas() {
    if (previous_ != 1) openblas_set_num_threads(previous_);
  }
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int previous_;
};

// Below this many multiply-adds per call, waking a thread team costs more than it saves.
constexpr int64_t kBatchParallelMacs = int64_t{1} << 20;

// How many threads share a batch: at most one per sample, none for small convolutions, and a
// call from inside a parallel region stays on its thread.
int batch_threads(const ConvGeometry& g) {
  const int64_t macs = g.batch * g.out_channels * g.group_col_rows() * g.col_cols();
  if (g.batch <= 1 || macs < kBatchParallelMacs || omp_in_parallel()) return 1;
  return static_cast<int>(std::min<int64_t>(omp_get_max_threads(), g.batch));
}

// Runs body(n, workspace, thread) for every sample n. With several threads the batch is split
// over OpenMP threads, each with its own zeroed workspace of `workspace_size` elements and single-
// threaded BLAS; otherwise samples run in turn and BLAS uses its own threads.
template <typename T, typename Body>
void for_each_sample(int64_t batch, int64_t workspace_size, int threads, Body&& body) {
  const size_t size = static_cast<size_t>(std::max<int64_t>(workspace_size, 1));
  if (threads <= 1) {
    ZeroedScratch<T> workspace(size);
    for (int64_t n = 0; n < batch; ++n) body(n, workspace.get(), 0);
    return;
  }
  SingleThreadedBlas blas_guard;
#pragma omp parallel num_threads(threads)
  {
    ZeroedScratch<T> workspace(size);
    const int thread = omp_get_thread_num();
#pragma omp for schedule(static)
    for (int64_t n = 0; n < batch; ++n) body(n, workspace.get(), thread);
  }
}

// ---- fused kernels -----------------------------------------------------------------------------

// The per-thread scratch of one fused kernel: the padded input copy, the cols buffer and an
// [O/g, P]-sized buffer for the output or gradient in cols layout, in one zeroed allocation (the
// padded copy's borders must start at zero; unroll() writes only its interior).
struct Workspace {
  int64_t padded, cols, extra;
  int64_t size() const { return padded + cols + extra; }
};

// dy_g: [O/g, Ho, Wo] -> [O/g, Ho, row_width] with zero junk columns (itself when no junk).
template <typename T>
const T* gradient_as_cols(const T* dy_g, const ConvGeometry& g, const ColsLayout& l, T* buffer) {
  if (l.row_width == g.out_width) return dy_g;
  const int64_t rows = g.group_out_channels() * g.out_height;
  for (int64_t r = 0; r < rows; ++r) {
    T* out = buffer + r * l.row_width;
    std::copy(dy_g + r * g.out_width, dy_g + (r + 1) * g.out_width, out);
    std::fill(out + g.out_width, out + l.row_width, T(0));
  }
  return buffer;
}

// ---- float32, unit stride, AVX-512: implicit GEMM (tensor/cpu/conv2d_avx512.h) ---------------
#if CAMLAB_CONV_AVX512

// x: [N, C, H, W], w: [O, C/groups, kh, kw], b: [O] (optional) -> y: [N, O, Ho, Wo]
void conv2d_forward_implicit(const KernelArgs& args, const ConvGeometry& g) {
  const ImplicitConv conv(ImplicitShape::forward(g));
  const int64_t K = conv.depth(), Og = g.group_out_channels(), Cg = g.group_channels();
  const float* w = args.inputs[1].data<float>();  // [O, K]
  const bool has_bias = args.inputs.size() > 2 && args.inputs[2].defined();
  const float* bias = has_bias ? args.inputs[2].data<float>() : nullptr;
  const float* x = args.inputs[0].data<float>();
  float* y = args.outputs[0].data<float>();
  const bool relu = args.get<Conv2dParams>().relu;
  std::vector<std::vector<float>> packed;  // per group: [ceil(O/g / 8), K, 8]
  for (int64_t group = 0; group < g.groups; ++group) {
    packed.push_back(conv.pack([&](int64_t o, int64_t k) { return w[(group * Og + o) * K + k]; }));
  }
  for_each_sample<float>(
      g.batch, conv.workspace_size(), batch_threads(g), [&](int64_t n, float* work, int) {
        for (int64_t group = 0; group < g.groups; ++group) {
          conv.run(x + (n * g.channels + group * Cg) * g.plane(), packed[group].data(),
                   bias != nullptr ? bias + group * Og : nullptr,
                   y + (n * g.out_channels + group * Og) * g.col_cols(), work, relu);
        }
      });
}

// grad_y: [N, O, Ho, Wo], w: [O, C/groups, kh, kw] -> grad_x: [N, C, H, W]
void conv2d_backward_input_implicit(const KernelArgs& args, const ConvGeometry& g) {
  const ImplicitConv conv(ImplicitShape::backward_input(g));
  const int64_t Og = g.group_out_channels(), Cg = g.group_channels(), taps = g.kh * g.kw;
  const float* w = args.inputs[1].data<float>();  // [O, C/g, kh, kw]
  const float* dy = args.inputs[0].data<float>();
  float* dx = args.outputs[0].data<float>();
  std::vector<std::vector<float>> packed;  // per group: [ceil(C/g / 8), (O/g)·kh·kw, 8]
  std::vector<float> flipped(static_cast<size_t>(Cg * Og * taps));  // [C/g, O/g, kh·kw]
  for (int64_t group = 0; group < g.groups; ++group) {
    // Filter c of the dY convolution at k = (o·kh + ki)·kw + kj is w[o, c, kh−1−ki, kw−1−kj].
    for (int64_t o = 0; o < Og; ++o) {
      for (int64_t c = 0; c < Cg; ++c) {
        const float* src = w + ((group * Og + o) * Cg + c) * taps;
        float* dst = flipped.data() + (c * Og + o) * taps;
        for (int64_t t = 0; t < taps; ++t) dst[t] = src[taps - 1 - t];
      }
    }
    const int64_t depth = Og * taps;
    packed.push_back(conv.pack([&](int64_t c, int64_t k) { return flipped[c * depth + k]; }));
  }
  for_each_sample<float>(
      g.batch, conv.workspace_size(), batch_threads(g), [&](int64_t n, float* work, int) {
        for (int64_t group = 0; group < g.groups; ++group) {
          conv.run(dy + (n * g.out_channels + group * Og) * g.col_cols(), packed[group].data(),
                   nullptr, dx + (n * g.channels + group * Cg) * g.plane(), work);
        }
      });
}

// grad_y: [N, O, Ho, Wo], x: [N, C, H, W] -> grad_w: [O, C/groups, kh, kw]
void conv2d_backward_weight_implicit(const KernelArgs& args, const ConvGeometry& g) {
  const ImplicitConv conv(ImplicitShape::forward(g));
  const int64_t K = conv.depth(), Og = g.group_out_channels(), Cg = g.group_channels();
  const int64_t ld = conv.grad_cols(), group_size = conv.grad_rows() * ld;
  const float* dy = args.inputs[0].data<float>();
  const float* x = args.inputs[1].data<float>();
  const int threads = batch_threads(g);
  // One partial dWᵀ per thread and group, [K, O/g] padded to the tile, added up in thread order:
  // reproducible for a given thread count.
  const int64_t thread_size = g.groups * group_size;
  std::vector<float> partial(static_cast<size_t>(threads * thread_size), 0.0f);
  for_each_sample<float>(
      g.batch, conv.workspace_size(), threads, [&](int64_t n, float* work, int thread) {
        for (int64_t group = 0; group < g.groups; ++group) {
          conv.accumulate_weight_grad(x + (n * g.channels + group * Cg) * g.plane(),
                                      dy + (n * g.out_channels + group * Og) * g.col_cols(),
                                      partial.data() + thread * thread_size + group * group_size,
                                      work);
        }
      });
  float* out = args.outputs[0].data<float>();  // [O, K]
  for (int64_t group = 0; group < g.groups; ++group) {
    for (int64_t o = 0; o < Og; ++o) {
      for (int64_t k = 0; k < K; ++k) {
        float sum = 0;
        for (int t = 0; t < threads; ++t)
          sum += partial[t * thread_size + group * group_size + k * ld + o];
        out[(group * Og + o) * K + k] = sum;
      }
    }
  }
}

// A strided 1×1 convolution (ResNet's downsampling shortcuts) reads every sh-th row and sw-th
// column only: gathered once into [N, C, Ho, Wo], it is the unit-stride 1×1 convolution of that,
// which the implicit GEMM runs (the im2col path reached a third of the FMA peak on these).
bool strided_pointwise(const ConvGeometry& g) {
  return g.kh == 1 && g.kw == 1 && g.ph == 0 && g.pw == 0 && (g.sh > 1 || g.sw > 1);
}

// x: [N, C, H, W] -> [N, C, Ho, Wo], element (oh, ow) from (oh·sh, ow·sw)
Tensor subsample(const Tensor& x, const ConvGeometry& g) {
  Tensor out = Tensor::empty({g.batch, g.channels, g.out_height, g.out_width}, x.dtype());
  const float* src = x.data<float>();
  float* dst = out.data<float>();
#pragma omp parallel for schedule(static) if (g.batch * g.channels * g.col_cols() >= (1 << 16))
  for (int64_t plane = 0; plane < g.batch * g.channels; ++plane) {
    const float* in = src + plane * g.plane();
    float* o = dst + plane * g.col_cols();
    for (int64_t oh = 0; oh < g.out_height; ++oh) {
      for (int64_t ow = 0; ow < g.out_width; ++ow) {
        o[oh * g.out_width + ow] = in[oh * g.sh * g.width + ow * g.sw];
      }
    }
  }
  return out;
}

void strided_pointwise_forward(const KernelArgs& args, const ConvGeometry& g) {
  Conv2dParams unit = args.get<Conv2dParams>();
  unit.stride = {1, 1};
  KernelArgs gathered = args;
  gathered.inputs[0] = subsample(args.inputs[0], g);  // [N, C, Ho, Wo]
  gathered.params = &unit;
  conv2d_forward_implicit(gathered,
                          make_conv_geometry(gathered.inputs[0].shape(), g.out_channels, unit));
}

#endif  // CAMLAB_CONV_AVX512

// x: [N, C, H, W], w: [O, C/groups, kh, kw], b: [O] (optional) -> y: [N, O, Ho, Wo]
template <typename T>
void conv2d_forward_typed(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& w = args.inputs[1];
  const bool has_bias = args.inputs.size() > 2 && args.inputs[2].defined();
  const Tensor& y = args.outputs[0];
  const ConvGeometry g = make_conv_geometry(x.shape(), w.size(0), args.get<Conv2dParams>());
  if (is_depthwise(g)) {
    const bool relu = args.get<Conv2dParams>().relu;
    return depthwise_conv2d_forward<T>(x.data<T>(), w.data<T>(),
                                       has_bias ? args.inputs[2].data<T>() : nullptr, g, relu,
                                       y.data<T>());
  }
#if CAMLAB_CONV_AVX512
  if constexpr (std::is_same_v<T, float>) {
    if (implicit_forward_applies(g)) return conv2d_forward_implicit(args, g);
    if (strided_pointwise(g)) return strided_pointwise_forward(args, g);
  }
#endif
  const ColsLayout l = make_layout(g);
  const int64_t K = g.group_col_rows(), P = l.cols, Og = g.group_out_channels();
  const int64_t Ho = g.out_height, Wo = g.out_width;
  const T* x_data = x.data<T>();
  const T* w_data = w.data<T>();  // [O, K]
  const T* b_data = has_bias ? args.inputs[2].data<T>() : nullptr;
  T* y_data = y.data<T>();
  const bool relu = args.get<Conv2dParams>().relu;
  const Workspace ws{l.padded_size, l.cols_size, P * Og};

  for_each_sample<T>(g.batch, ws.size(), batch_threads(g), [&](int64_t n, T* work, int) {
    T* padded = work;
    T* cols_buffer = work + ws.padded;
    T* y_t = cols_buffer + ws.cols;  // [P, O/g]
    for (int64_t group = 0; group < g.groups; ++group) {
      const T* x_g = x_data + (n * g.channels + group * g.group_channels()) * g.plane();
      const T* cols = unroll(x_g, g, l, padded, cols_buffer);  // [K, P]
      // y_gᵀ [P, O/g] = colsᵀ · W_gᵀ
      gemm<T>(true, true, P, Og, K, T(1), cols, P, w_data + group * Og * K, K, T(0), y_t, Og);
      T* y_g = y_data + (n * g.out_channels + group * Og) * Ho * Wo;  // [O/g, Ho, Wo]
      for (int64_t o = 0; o < Og; ++o) {
        const T bias = has_bias ? b_data[group * Og + o] : T(0);
        for (int64_t oh = 0; oh < Ho; ++oh) {
          const T* src = y_t + oh * l.row_width * Og + o;  // junk columns past Wo are dropped
          T* dst = y_g + (o * Ho + oh) * Wo;
          for (int64_t ow = 0; ow < Wo; ++ow) {
            const T value = src[ow * Og] + bias;
            dst[ow] = relu ? fn::Relu{}(value) : value;  // the ReLU op's own formula (NaN -> 0)
          }
        }
      }
    }
  });
}

// grad_y: [N, O, Ho, Wo], w: [O, C/groups, kh, kw] -> grad_x: [N, C, H, W]
template <typename T>
void conv2d_backward_input_typed(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];
  const Tensor& w = args.inputs[1];
  const Tensor& grad_x = args.outputs[0];
  const ConvGeometry g = make_conv_geometry(grad_x.shape(), w.size(0), args.get<Conv2dParams>());
#if CAMLAB_CONV_AVX512
  if constexpr (std::is_same_v<T, float>) {
    if (implicit_backward_input_applies(g)) return conv2d_backward_input_implicit(args, g);
  }
#endif
  const ColsLayout l = make_layout(g);
  const int64_t K = g.group_col_rows(), P = l.cols, Og = g.group_out_channels();
  const T* dy_data = grad_y.data<T>();
  const T* w_data = w.data<T>();  // [O, K]
  T* dx_data = grad_x.data<T>();
  const Workspace ws{l.padded_size, l.cols_size, l.row_width == g.out_width ? 0 : Og * P};

  for_each_sample<T>(g.batch, ws.size(), batch_threads(g), [&](int64_t n, T* work, int) {
    T* padded = work;
    T* dcols_buffer = work + ws.padded;
    T* dy_buffer = dcols_buffer + ws.cols;
    for (int64_t group = 0; group < g.groups; ++group) {
      const T* dy_g = dy_data + (n * g.out_channels + group * Og) * g.col_cols();
      const T* dy = gradient_as_cols(dy_g, g, l, dy_buffer);  // [O/g, P]
      T* dx_g = dx_data + (n * g.channels + group * g.group_channels()) * g.plane();
      // dcols [K, P] = W_gᵀ · dY_g; dX = col2im(dcols). A direct layout's dcols is dX itself.
      T* dcols = l.kind == Unroll::direct ? dx_g : dcols_buffer;
      gemm<T>(true, false, K, P, Og, T(1), w_data + group * Og * K, K, dy, P, T(0), dcols, P);
      if (l.kind != Unroll::direct) fold(dcols, g, l, padded, dx_g);
    }
  });
}

// grad_y: [N, O, Ho, Wo], x: [N, C, H, W] -> grad_w: [O, C/groups, kh, kw]
template <typename T>
void conv2d_backward_weight_typed(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];
  const Tensor& x = args.inputs[1];
  const Tensor& grad_w = args.outputs[0];
  const ConvGeometry g = make_conv_geometry(x.shape(), grad_w.size(0), args.get<Conv2dParams>());
#if CAMLAB_CONV_AVX512
  if constexpr (std::is_same_v<T, float>) {
    if (implicit_forward_applies(g)) return conv2d_backward_weight_implicit(args, g);
  }
#endif
  const ColsLayout l = make_layout(g);
  const int64_t K = g.group_col_rows(), P = l.cols, Og = g.group_out_channels();
  const int64_t w_numel = g.out_channels * K;
  const T* dy_data = grad_y.data<T>();
  const T* x_data = x.data<T>();
  const int threads = batch_threads(g);
  // One partial dWᵀ per thread, [groups][K, O/g], added up in thread order: reproducible run to
  // run for a given thread count.
  std::unique_ptr<T[]> partial(new T[threads * w_numel]());
  const Workspace ws{l.padded_size, l.cols_size, l.row_width == g.out_width ? 0 : Og * P};

  for_each_sample<T>(g.batch, ws.size(), threads, [&](int64_t n, T* work, int thread) {
    T* padded = work;
    T* cols_buffer = work + ws.padded;
    T* dy_buffer = cols_buffer + ws.cols;
    T* dw_t = partial.get() + thread * w_numel;
    for (int64_t group = 0; group < g.groups; ++group) {
      const T* x_g = x_data + (n * g.channels + group * g.group_channels()) * g.plane();
      const T* cols = unroll(x_g, g, l, padded, cols_buffer);  // [K, P]
      const T* dy_g = dy_data + (n * g.out_channels + group * Og) * g.col_cols();
      const T* dy = gradient_as_cols(dy_g, g, l, dy_buffer);  // [O/g, P], junk columns zero
      // dW_gᵀ [K, O/g] += cols [K, P] · dY_gᵀ [P, O/g]
      gemm<T>(false, true, K, Og, P, T(1), cols, P, dy, P, T(1), dw_t + group * K * Og, Og);
    }
  });

  T* out = grad_w.data<T>();  // [O, K]
  for (int64_t group = 0; group < g.groups; ++group) {
    for (int64_t o = 0; o < Og; ++o) {
      T* row = out + (group * Og + o) * K;
      for (int64_t k = 0; k < K; ++k) {
        T sum = 0;
        for (int t = 0; t < threads; ++t) sum += partial[t * w_numel + (group * K + k) * Og + o];
        row[k] = sum;
      }
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
  t[static_cast<size_t>(Op::im2col)] = im2col_kernel;
  t[static_cast<size_t>(Op::col2im)] = col2im_kernel;
  t[static_cast<size_t>(Op::conv2d_forward)] = conv2d_forward;
  t[static_cast<size_t>(Op::conv2d_backward_input)] = conv2d_backward_input;
  t[static_cast<size_t>(Op::conv2d_backward_weight)] = conv2d_backward_weight;
}

}  // namespace camlab::cpu
