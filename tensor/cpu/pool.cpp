// Pooling on the CPU: max (with argmax indices), average, adaptive average, and their backwards.
// Every (n, c) plane is independent, so planes are spread over OpenMP threads and the backward
// scatters never race. Inputs arrive contiguous (the frontends in tensor/ops/pool.cpp see to it).
#include <algorithm>
#include <cmath>
#include <limits>

#include "tensor/cpu/loops.h"
#include "tensor/cpu/register.h"
#include "tensor/op_params.h"

namespace camlab::cpu {

void register_upsample_kernels(KernelTable& table);  // cpu/upsample.cpp

namespace {

// Runs fn(plane) for every plane in [0, planes), in parallel when the work is large enough.
template <typename Fn>
void for_each_plane(int64_t planes, int64_t work_per_plane, Fn&& fn) {
#pragma omp parallel for schedule(static) if (planes * work_per_plane >= kParallelGrain)
  for (int64_t i = 0; i < planes; ++i) fn(i);
}

// The input rows (or columns) under output position o of a window of `kernel` at `stride`
// shifted by `padding`, clipped to the image [0, size).
struct Window {
  int64_t begin, end;
};

Window pool_window(int64_t o, int64_t kernel, int64_t stride, int64_t padding, int64_t size) {
  const int64_t start = o * stride - padding;
  return {std::max<int64_t>(start, 0), std::min(start + kernel, size)};
}

// Adaptive pooling bins (PyTorch's AdaptiveAveragePooling): start = ⌊i·in/out⌋,
// end = ⌈(i + 1)·in/out⌉, so bins may overlap by one element.
Window adaptive_window(int64_t i, int64_t in, int64_t out) {
  return {(i * in) / out, ((i + 1) * in + out - 1) / out};
}

// The common 2x2 window at stride 2 without padding: windows tile the image, so each output
// reads one aligned pair from each of two input rows. Same rules as the general loop below
// (strict > keeps the first maximum of a tie, a NaN replaces the best so far), written as
// selects so the ow loop vectorises.
bool is_pool_2x2_s2(const Pool2dParams& p, int64_t H, int64_t W, int64_t Ho, int64_t Wo) {
  return p.kernel[0] == 2 && p.kernel[1] == 2 && p.stride[0] == 2 && p.stride[1] == 2 &&
         p.padding[0] == 0 && p.padding[1] == 0 && 2 * Ho <= H && 2 * Wo <= W;
}

// plane: [H, W] -> y_row, idx_row: [Ho, Wo] of one (n, c) plane
template <typename T>
void max_pool2x2_plane(const T* plane, int64_t W, int64_t Ho, int64_t Wo, T* y_plane,
                       int64_t* idx_plane) {
  for (int64_t oh = 0; oh < Ho; ++oh) {
    const T* r0 = plane + 2 * oh * W;
    const T* r1 = r0 + W;
    T* yr = y_plane + oh * Wo;
    int64_t* ir = idx_plane + oh * Wo;
    const int64_t base = 2 * oh * W;
    for (int64_t ow = 0; ow < Wo; ++ow) {
      T best = r0[2 * ow];
      int64_t k = 0;  // 0, 1: top row; 2, 3: bottom row
      const T b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
      // A NaN in `best` already wins: nothing compares greater than it, and a later NaN takes
      // over just as in the general loop (v > best || isnan(v)).
      const bool tb = b > best || b != b;
      best = tb ? b : best;
      k = tb ? 1 : k;
      const bool tc = c > best || c != c;
      best = tc ? c : best;
      k = tc ? 2 : k;
      const bool td = d > best || d != d;
      best = td ? d : best;
      k = td ? 3 : k;
      yr[ow] = best;
      ir[ow] = base + (k >> 1) * W + 2 * ow + (k & 1);
    }
  }
}

// One (n, c) plane of max pooling, any window: plane [H, W] -> y, idx [Ho, Wo]. Padding counts
// as −∞; a NaN wins (as in PyTorch); ties keep the first maximum in (row, column) order. Each
// comparison is a select, not a branch (which element wins is data-dependent and mispredicts).
// Where a window lies inside the image in columns, the taps are the outer loops and the output
// columns the inner one: the outputs are independent, so the select chains of neighbouring
// outputs overlap instead of running one after another (the 3×3 stride-2 stem pool of ResNet
// ran at one output per ~45 cycles as a single chain).
template <typename T>
void max_pool_plane(const T* plane, int64_t H, int64_t W, const Pool2dParams& p, int64_t Ho,
                    int64_t Wo, T* y, int64_t* idx) {
  const int64_t kw = p.kernel[1], sw = p.stride[1], pw = p.padding[1];
  // Output columns whose window is inside [0, W): ow·sw − pw ≥ 0 and ow·sw − pw + kw ≤ W.
  const int64_t inner_begin = std::min(Wo, (pw + sw - 1) / sw);
  const int64_t inner_end =
      std::max(inner_begin, std::min(Wo, W + pw - kw >= 0 ? (W + pw - kw) / sw + 1 : 0));
  for (int64_t oh = 0; oh < Ho; ++oh) {
    const Window rows = pool_window(oh, p.kernel[0], p.stride[0], p.padding[0], H);
    T* y_row = y + oh * Wo;
    int64_t* idx_row = idx + oh * Wo;
    auto clipped_column = [&](int64_t ow) {
      const Window cols = pool_window(ow, kw, sw, pw, W);
      T best = -std::numeric_limits<T>::infinity();
      int64_t best_index = rows.begin * W + cols.begin;
      for (int64_t ih = rows.begin; ih < rows.end; ++ih) {
        for (int64_t iw = cols.begin; iw < cols.end; ++iw) {
          const T v = plane[ih * W + iw];
          const bool take = v > best || v != v;
          best = take ? v : best;
          best_index = take ? ih * W + iw : best_index;
        }
      }
      y_row[ow] = best;
      idx_row[ow] = best_index;
    };
    for (int64_t ow = 0; ow < inner_begin; ++ow) clipped_column(ow);
    for (int64_t ow = inner_end; ow < Wo; ++ow) clipped_column(ow);
    for (int64_t ow = inner_begin; ow < inner_end; ++ow) {
      y_row[ow] = -std::numeric_limits<T>::infinity();
      idx_row[ow] = rows.begin * W + ow * sw - pw;
    }
    for (int64_t ih = rows.begin; ih < rows.end; ++ih) {
      for (int64_t j = 0; j < kw; ++j) {
        const int64_t first = ih * W + j - pw;  // tap j of output ow is plane[first + ow·sw]
        for (int64_t ow = inner_begin; ow < inner_end; ++ow) {
          const T v = plane[first + ow * sw];
          const bool take = v > y_row[ow] || v != v;
          y_row[ow] = take ? v : y_row[ow];
          idx_row[ow] = take ? first + ow * sw : idx_row[ow];
        }
      }
    }
  }
}

// x: [N, C, H, W] -> y: [N, C, Ho, Wo], indices (int64, ih·W + iw within the plane): [N, C, Ho, Wo]
void max_pool2d_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& y = args.outputs[0];
  const Tensor& indices = args.outputs[1];
  const auto& p = args.get<Pool2dParams>();
  const int64_t H = x.size(2), W = x.size(3), Ho = y.size(2), Wo = y.size(3);
  if (is_pool_2x2_s2(p, H, W, Ho, Wo)) {
    visit_floating(x.dtype(), "max_pool2d", [&]<typename T>() {
      const T* x_data = x.data<T>();
      T* y_data = y.data<T>();
      int64_t* idx_data = indices.data<int64_t>();
      for_each_plane(x.size(0) * x.size(1), H * W, [&](int64_t i) {
        max_pool2x2_plane(x_data + i * H * W, W, Ho, Wo, y_data + i * Ho * Wo,
                          idx_data + i * Ho * Wo);
      });
    });
    return;
  }
  visit_floating(x.dtype(), "max_pool2d", [&]<typename T>() {
    const T* x_data = x.data<T>();
    T* y_data = y.data<T>();
    int64_t* idx_data = indices.data<int64_t>();
    for_each_plane(x.size(0) * x.size(1), Ho * Wo * p.kernel[0] * p.kernel[1], [&](int64_t i) {
      max_pool_plane(x_data + i * H * W, H, W, p, Ho, Wo, y_data + i * Ho * Wo,
                     idx_data + i * Ho * Wo);
    });
  });
}

// grad_y, indices: [N, C, Ho, Wo] -> grad_x: [N, C, H, W]; dX[argmax] += dY
void max_pool2d_backward_kernel(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];
  const Tensor& indices = args.inputs[1];
  const Tensor& grad_x = args.outputs[0];
  const int64_t plane_in = grad_x.size(2) * grad_x.size(3);
  const int64_t plane_out = grad_y.size(2) * grad_y.size(3);
  visit_floating(grad_y.dtype(), "max_pool2d_backward", [&]<typename T>() {
    const T* dy = grad_y.data<T>();
    const int64_t* idx = indices.data<int64_t>();
    T* dx = grad_x.data<T>();
    for_each_plane(grad_x.size(0) * grad_x.size(1), plane_in + plane_out, [&](int64_t i) {
      T* dx_plane = dx + i * plane_in;
      std::fill(dx_plane, dx_plane + plane_in, T(0));
      for (int64_t o = 0; o < plane_out; ++o)
        dx_plane[idx[i * plane_out + o]] += dy[i * plane_out + o];
    });
  });
}

// The number an average window is divided by: the full kernel area when padding counts, else the
// elements inside the image. (With ceil_mode off a window never runs past the padding.)
int64_t avg_divisor(const Window& rows, const Window& cols, const Pool2dParams& p) {
  return p.count_include_pad ? p.kernel[0] * p.kernel[1]
                             : (rows.end - rows.begin) * (cols.end - cols.begin);
}

// x: [N, C, H, W] -> y: [N, C, Ho, Wo]
void avg_pool2d_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& y = args.outputs[0];
  const auto& p = args.get<Pool2dParams>();
  const int64_t H = x.size(2), W = x.size(3), Ho = y.size(2), Wo = y.size(3);
  visit_floating(x.dtype(), "avg_pool2d", [&]<typename T>() {
    const T* x_data = x.data<T>();
    T* y_data = y.data<T>();
    for_each_plane(x.size(0) * x.size(1), Ho * Wo * p.kernel[0] * p.kernel[1], [&](int64_t i) {
      const T* plane = x_data + i * H * W;
      for (int64_t oh = 0; oh < Ho; ++oh) {
        const Window rows = pool_window(oh, p.kernel[0], p.stride[0], p.padding[0], H);
        for (int64_t ow = 0; ow < Wo; ++ow) {
          const Window cols = pool_window(ow, p.kernel[1], p.stride[1], p.padding[1], W);
          T sum = 0;
          for (int64_t ih = rows.begin; ih < rows.end; ++ih) {
            for (int64_t iw = cols.begin; iw < cols.end; ++iw) sum += plane[ih * W + iw];
          }
          y_data[(i * Ho + oh) * Wo + ow] = sum / T(avg_divisor(rows, cols, p));
        }
      }
    });
  });
}

// grad_y: [N, C, Ho, Wo] -> grad_x: [N, C, H, W]; each window spreads dY / divisor over its inputs
void avg_pool2d_backward_kernel(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];
  const Tensor& grad_x = args.outputs[0];
  const auto& p = args.get<Pool2dParams>();
  const int64_t H = grad_x.size(2), W = grad_x.size(3), Ho = grad_y.size(2), Wo = grad_y.size(3);
  visit_floating(grad_y.dtype(), "avg_pool2d_backward", [&]<typename T>() {
    const T* dy = grad_y.data<T>();
    T* dx = grad_x.data<T>();
    for_each_plane(
        grad_x.size(0) * grad_x.size(1), Ho * Wo * p.kernel[0] * p.kernel[1], [&](int64_t i) {
          T* plane = dx + i * H * W;
          std::fill(plane, plane + H * W, T(0));
          for (int64_t oh = 0; oh < Ho; ++oh) {
            const Window rows = pool_window(oh, p.kernel[0], p.stride[0], p.padding[0], H);
            for (int64_t ow = 0; ow < Wo; ++ow) {
              const Window cols = pool_window(ow, p.kernel[1], p.stride[1], p.padding[1], W);
              const T share = dy[(i * Ho + oh) * Wo + ow] / T(avg_divisor(rows, cols, p));
              for (int64_t ih = rows.begin; ih < rows.end; ++ih) {
                for (int64_t iw = cols.begin; iw < cols.end; ++iw) {
                  plane[ih * W + iw] += share;
                }
              }
            }
          }
        });
  });
}

// x: [N, C, H, W] -> y: [N, C, Ho, Wo] (sizes from the output)
void adaptive_avg_pool2d_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& y = args.outputs[0];
  const int64_t H = x.size(2), W = x.size(3), Ho = y.size(2), Wo = y.size(3);
  visit_floating(x.dtype(), "adaptive_avg_pool2d", [&]<typename T>() {
    const T* x_data = x.data<T>();
    T* y_data = y.data<T>();
    if (Ho == 1 && Wo == 1) {  // global average pooling: one contiguous plane per output
      const int64_t hw = H * W;
      for_each_plane(x.size(0) * x.size(1), hw, [&](int64_t i) {
        const T* plane = x_data + i * hw;
        // Eight independent partial sums: they vectorise and shorten the rounding chain.
        T lanes[8] = {};
        int64_t k = 0;
        for (; k + 8 <= hw; k += 8) {
          for (int l = 0; l < 8; ++l) lanes[l] += plane[k + l];
        }
        for (; k < hw; ++k) lanes[0] += plane[k];
        const T sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
                      ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
        y_data[i] = sum / T(hw);
      });
      return;
    }
    for_each_plane(x.size(0) * x.size(1), H * W + Ho * Wo, [&](int64_t i) {
      const T* plane = x_data + i * H * W;
      for (int64_t oh = 0; oh < Ho; ++oh) {
        const Window rows = adaptive_window(oh, H, Ho);
        for (int64_t ow = 0; ow < Wo; ++ow) {
          const Window cols = adaptive_window(ow, W, Wo);
          T sum = 0;
          for (int64_t ih = rows.begin; ih < rows.end; ++ih) {
            for (int64_t iw = cols.begin; iw < cols.end; ++iw) sum += plane[ih * W + iw];
          }
          y_data[(i * Ho + oh) * Wo + ow] =
              sum / T((rows.end - rows.begin) * (cols.end - cols.begin));
        }
      }
    });
  });
}

// grad_y: [N, C, Ho, Wo] -> grad_x: [N, C, H, W]; each bin spreads dY / |bin| over its inputs
void adaptive_avg_pool2d_backward_kernel(const KernelArgs& args) {
  const Tensor& grad_y = args.inputs[0];
  const Tensor& grad_x = args.outputs[0];
  const int64_t H = grad_x.size(2), W = grad_x.size(3), Ho = grad_y.size(2), Wo = grad_y.size(3);
  visit_floating(grad_y.dtype(), "adaptive_avg_pool2d_backward", [&]<typename T>() {
    const T* dy = grad_y.data<T>();
    T* dx = grad_x.data<T>();
    if (Ho == 1 && Wo == 1) {  // global average pooling: dX = dY / (H·W) over the whole plane
      for_each_plane(grad_x.size(0) * grad_x.size(1), H * W, [&](int64_t i) {
        std::fill(dx + i * H * W, dx + (i + 1) * H * W, dy[i] / T(H * W));
      });
      return;
    }
    for_each_plane(grad_x.size(0) * grad_x.size(1), H * W + Ho * Wo, [&](int64_t i) {
      T* plane = dx + i * H * W;
      std::fill(plane, plane + H * W, T(0));
      for (int64_t oh = 0; oh < Ho; ++oh) {
        const Window rows = adaptive_window(oh, H, Ho);
        for (int64_t ow = 0; ow < Wo; ++ow) {
          const Window cols = adaptive_window(ow, W, Wo);
          const T share =
              dy[(i * Ho + oh) * Wo + ow] / T((rows.end - rows.begin) * (cols.end - cols.begin));
          for (int64_t ih = rows.begin; ih < rows.end; ++ih) {
            for (int64_t iw = cols.begin; iw < cols.end; ++iw) plane[ih * W + iw] += share;
          }
        }
      }
    });
  });
}

}  // namespace

void register_image_kernels(KernelTable& t) {
  t[static_cast<size_t>(Op::max_pool2d)] = max_pool2d_kernel;
  t[static_cast<size_t>(Op::max_pool2d_backward)] = max_pool2d_backward_kernel;
  t[static_cast<size_t>(Op::avg_pool2d)] = avg_pool2d_kernel;
  t[static_cast<size_t>(Op::avg_pool2d_backward)] = avg_pool2d_backward_kernel;
  t[static_cast<size_t>(Op::adaptive_avg_pool2d)] = adaptive_avg_pool2d_kernel;
  t[static_cast<size_t>(Op::adaptive_avg_pool2d_backward)] = adaptive_avg_pool2d_backward_kernel;
  register_upsample_kernels(t);
}

}  // namespace camlab::cpu
