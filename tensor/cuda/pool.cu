// Pooling on CUDA: max (with argmax indices), average, adaptive average, and their backwards.
// Inputs arrive contiguous (tensor/ops/pool.cpp). Forwards run one thread per output element;
// backwards zero grad_x and one thread per grad_y element adds its share into its window with
// atomicAdd (windows overlap when stride < kernel, and adaptive bins may share a row).
// Window rules as tensor/cpu/pool.cpp.
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <limits>

#include "tensor/cuda/register.h"
#include "tensor/op_params.h"

namespace camlab::cuda {
namespace {

// The input rows (or columns) [begin, end) under an output position.
struct Window {
  int64_t begin, end;
  __device__ int64_t size() const { return end - begin; }
};

// A window of `kernel` at `stride` shifted by `padding`, clipped to the image [0, size).
__device__ Window pool_window(int64_t o, int64_t kernel, int64_t stride, int64_t padding,
                              int64_t size) {
  const int64_t start = o * stride - padding;
  return {start > 0 ? start : 0, start + kernel < size ? start + kernel : size};
}

// Adaptive bins (PyTorch's AdaptiveAveragePooling): [⌊i·in/out⌋, ⌈(i + 1)·in/out⌉).
__device__ Window adaptive_window(int64_t i, int64_t in, int64_t out) {
  return {(i * in) / out, ((i + 1) * in + out - 1) / out};
}

// Image sizes and the pooling parameters, passed to kernels by value.
struct PoolGeometry {
  int64_t planes, H, W, Ho, Wo;  // planes = N·C
  int64_t kh, kw, sh, sw, ph, pw;
  bool count_include_pad;

  __device__ Window rows(int64_t oh) const { return pool_window(oh, kh, sh, ph, H); }
  __device__ Window cols(int64_t ow) const { return pool_window(ow, kw, sw, pw, W); }
  // The full kernel area when padding counts, else the elements inside the image.
  __device__ int64_t divisor(const Window& r, const Window& c) const {
    return count_include_pad ? kh * kw : r.size() * c.size();
  }
};

PoolGeometry make_geometry(const Tensor& input, const Tensor& output, const Pool2dParams* p) {
  PoolGeometry g{};
  g.planes = input.size(0) * input.size(1);
  g.H = input.size(2);
  g.W = input.size(3);
  g.Ho = output.size(2);
  g.Wo = output.size(3);
  if (p != nullptr) {
    g.kh = p->kernel[0];
    g.kw = p->kernel[1];
    g.sh = p->stride[0];
    g.sw = p->stride[1];
    g.ph = p->padding[0];
    g.pw = p->padding[1];
    g.count_include_pad = p->count_include_pad;
  }
  return g;
}

// Output element i of [planes, Ho, Wo] as (plane, oh, ow).
struct OutputIndex {
  int64_t plane, oh, ow;
};
__device__ OutputIndex output_index(const PoolGeometry& g, int64_t i) {
  return {i / (g.Ho * g.Wo), (i / g.Wo) % g.Ho, i % g.Wo};
}

// x: [N, C, H, W] -> y, indices (int64, ih·W + iw within the plane): [N, C, Ho, Wo]
template <typename T>
__global__ void max_pool2d_kernel(PoolGeometry g, const T* x, T* y, int64_t* indices) {
  for (int64_t i = grid_start(); i < g.planes * g.Ho * g.Wo; i += grid_step()) {
    const OutputIndex o = output_index(g, i);
    const Window rows = g.rows(o.oh), cols = g.cols(o.ow);
    const T* plane = x + o.plane * g.H * g.W;
    // Padding counts as −∞; a NaN wins (as in PyTorch); ties keep the first maximum.
    T best = -std::numeric_limits<T>::infinity();
    int64_t best_index = rows.begin * g.W + cols.begin;
    for (int64_t ih = rows.begin; ih < rows.end; ++ih) {
      for (int64_t iw = cols.begin; iw < cols.end; ++iw) {
        const T v = plane[ih * g.W + iw];
        if (v > best || v != v) {
          best = v;
          best_index = ih * g.W + iw;
        }
      }
    }
    y[i] = best;
    indices[i] = best_index;
  }
}

// grad_y, indices: [N, C, Ho, Wo] -> grad_x: [N, C, H, W] (zeroed); dX[argmax] += dY
template <typename T>
__global__ void max_pool2d_backward_kernel(PoolGeometry g, const T* dy, const int64_t* indices,
                                           T* dx) {
  for (int64_t i = grid_start(); i < g.planes * g.Ho * g.Wo; i += grid_step()) {
    const int64_t plane = i / (g.Ho * g.Wo);
    atomicAdd(dx + plane * g.H * g.W + indices[i], dy[i]);
  }
}

// x: [N, C, H, W] -> y: [N, C, Ho, Wo]
template <typename T>
__global__ void avg_pool2d_kernel(PoolGeometry g, const T* x, T* y) {
  for (int64_t i = grid_start(); i < g.planes * g.Ho * g.Wo; i += grid_step()) {
    const OutputIndex o = output_index(g, i);
    const Window rows = g.rows(o.oh), cols = g.cols(o.ow);
    const T* plane = x + o.plane * g.H * g.W;
    T sum = 0;
    for (int64_t ih = rows.begin; ih < rows.end; ++ih) {
      for (int64_t iw = cols.begin; iw < cols.end; ++iw) sum += plane[ih * g.W + iw];
    }
    y[i] = sum / T(g.divisor(rows, cols));
  }
}

// grad_y: [N, C, Ho, Wo] -> grad_x: [N, C, H, W] (zeroed); each window spreads dY / divisor
template <typename T>
__global__ void avg_pool2d_backward_kernel(PoolGeometry g, const T* dy, T* dx) {
  for (int64_t i = grid_start(); i < g.planes * g.Ho * g.Wo; i += grid_step()) {
    const OutputIndex o = output_index(g, i);
    const Window rows = g.rows(o.oh), cols = g.cols(o.ow);
    T* plane = dx + o.plane * g.H * g.W;
    const T share = dy[i] / T(g.divisor(rows, cols));
    for (int64_t ih = rows.begin; ih < rows.end; ++ih) {
      for (int64_t iw = cols.begin; iw < cols.end; ++iw) atomicAdd(plane + ih * g.W + iw, share);
    }
  }
}

// x: [N, C, H, W] -> y: [N, C, Ho, Wo] (sizes from the output)
template <typename T>
__global__ void adaptive_avg_pool2d_kernel(PoolGeometry g, const T* x, T* y) {
  for (int64_t i = grid_start(); i < g.planes * g.Ho * g.Wo; i += grid_step()) {
    const OutputIndex o = output_index(g, i);
    const Window rows = adaptive_window(o.oh, g.H, g.Ho), cols = adaptive_window(o.ow, g.W, g.Wo);
    const T* plane = x + o.plane * g.H * g.W;
    T sum = 0;
    for (int64_t ih = rows.begin; ih < rows.end; ++ih) {
      for (int64_t iw = cols.begin; iw < cols.end; ++iw) sum += plane[ih * g.W + iw];
    }
    y[i] = sum / T(rows.size() * cols.size());
  }
}

// grad_y: [N, C, Ho, Wo] -> grad_x: [N, C, H, W] (zeroed); each bin spreads dY / |bin|
template <typename T>
__global__ void adaptive_avg_pool2d_backward_kernel(PoolGeometry g, const T* dy, T* dx) {
  for (int64_t i = grid_start(); i < g.planes * g.Ho * g.Wo; i += grid_step()) {
    const OutputIndex o = output_index(g, i);
    const Window rows = adaptive_window(o.oh, g.H, g.Ho), cols = adaptive_window(o.ow, g.W, g.Wo);
    T* plane = dx + o.plane * g.H * g.W;
    const T share = dy[i] / T(rows.size() * cols.size());
    for (int64_t ih = rows.begin; ih < rows.end; ++ih) {
      for (int64_t iw = cols.begin; iw < cols.end; ++iw) atomicAdd(plane + ih * g.W + iw, share);
    }
  }
}

int64_t outputs(const PoolGeometry& g) { return g.planes * g.Ho * g.Wo; }

// Launches kernel over the output elements of g (one thread each) after an optional zeroing of
// grad_x, the tensor the backwards accumulate into.
template <typename Launch>
void run(const char* op, const Tensor& any, const PoolGeometry& g, const Tensor& zeroed,
         Launch&& launch) {
  DeviceGuard guard(any.device());
  if (zeroed.defined() && zeroed.numel() > 0) {
    CAMLAB_CUDA_CHECK(cudaMemsetAsync(
        zeroed.raw_data(), 0, zeroed.numel() * dtype_size(zeroed.dtype()), current_stream()));
  }
  if (outputs(g) == 0) return;
  launch(blocks_for(outputs(g)));
  check_launch(op);
}

void max_pool2d_op(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& y = args.outputs[0];
  const PoolGeometry g = make_geometry(x, y, &args.get<Pool2dParams>());
  visit_floating(x.dtype(), "max_pool2d", [&]<typename T>() {
    run("max_pool2d", x, g, Tensor(), [&](unsigned blocks) {
      max_pool2d_kernel<<<blocks, kThreads, 0, current_stream()>>>(g, x.data<T>(), y.data<T>(),
                                                                   args.outputs[1].data<int64_t>());
    });
  });
}

void max_pool2d_backward_op(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];
  const Tensor& grad_x = args.outputs[0];
  const PoolGeometry g = make_geometry(grad_x, grad_y, nullptr);
  visit_floating(grad_y.dtype(), "max_pool2d_backward", [&]<typename T>() {
    run("max_pool2d_backward", grad_y, g, grad_x, [&](unsigned blocks) {
      max_pool2d_backward_kernel<<<blocks, kThreads, 0, current_stream()>>>(
          g, grad_y.data<T>(), args.inputs[1].data<int64_t>(), grad_x.data<T>());
    });
  });
}

void avg_pool2d_op(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& y = args.outputs[0];
  const PoolGeometry g = make_geometry(x, y, &args.get<Pool2dParams>());
  visit_floating(x.dtype(), "avg_pool2d", [&]<typename T>() {
    run("avg_pool2d", x, g, Tensor(), [&](unsigned blocks) {
      avg_pool2d_kernel<<<blocks, kThreads, 0, current_stream()>>>(g, x.data<T>(), y.data<T>());
    });
  });
}

void avg_pool2d_backward_op(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];
  const Tensor& grad_x = args.outputs[0];
  const PoolGeometry g = make_geometry(grad_x, grad_y, &args.get<Pool2dParams>());
  visit_floating(grad_y.dtype(), "avg_pool2d_backward", [&]<typename T>() {
    run("avg_pool2d_backward", grad_y, g, grad_x, [&](unsigned blocks) {
      avg_pool2d_backward_kernel<<<blocks, kThreads, 0, current_stream()>>>(g, grad_y.data<T>(),
                                                                            grad_x.data<T>());
    });
  });
}

void adaptive_avg_pool2d_op(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& y = args.outputs[0];
  const PoolGeometry g = make_geometry(x, y, nullptr);
  visit_floating(x.dtype(), "adaptive_avg_pool2d", [&]<typename T>() {
    run("adaptive_avg_pool2d", x, g, Tensor(), [&](unsigned blocks) {
      adaptive_avg_pool2d_kernel<<<blocks, kThreads, 0, current_stream()>>>(g, x.data<T>(),
                                                                            y.data<T>());
    });
  });
}

void adaptive_avg_pool2d_backward_op(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];
  const Tensor& grad_x = args.outputs[0];
  const PoolGeometry g = make_geometry(grad_x, grad_y, nullptr);
  visit_floating(grad_y.dtype(), "adaptive_avg_pool2d_backward", [&]<typename T>() {
    run("adaptive_avg_pool2d_backward", grad_y, g, grad_x, [&](unsigned blocks) {
      adaptive_avg_pool2d_backward_kernel<<<blocks, kThreads, 0, current_stream()>>>(
          g, grad_y.data<T>(), grad_x.data<T>());
    });
  });
}

}  // namespace

void register_pool_kernels(KernelTable& t) {
  t[static_cast<size_t>(Op::max_pool2d)] = max_pool2d_op;
  t[static_cast<size_t>(Op::max_pool2d_backward)] = max_pool2d_backward_op;
  t[static_cast<size_t>(Op::avg_pool2d)] = avg_pool2d_op;
  t[static_cast<size_t>(Op::avg_pool2d_backward)] = avg_pool2d_backward_op;
  t[static_cast<size_t>(Op::adaptive_avg_pool2d)] = adaptive_avg_pool2d_op;
  t[static_cast<size_t>(Op::adaptive_avg_pool2d_backward)] = adaptive_avg_pool2d_backward_op;
}

}  // namespace camlab::cuda
