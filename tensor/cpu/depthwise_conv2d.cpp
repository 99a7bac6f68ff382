#include "tensor/cpu/depthwise_conv2d.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "tensor/cpu/zeroed_scratch.h"
#include "tensor/functors.h"

namespace camlab::cpu {
namespace {

// The zero-padded plane split into column phases: [sw, Hp, Wq], Wq = ⌈Wp / sw⌉.
struct PhasedPlane {
  int64_t phases, rows, width;  // sw, Hp = H + 2·ph, Wq
  int64_t size() const { return phases * rows * width; }
};

PhasedPlane phased_plane(const ConvGeometry& g) {
  const int64_t padded_width = g.width + 2 * g.pw;
  return {g.sw, g.height + 2 * g.ph, (padded_width + g.sw - 1) / g.sw};
}

// plane [H, W] -> phased [sw, Hp, Wq]: padded column c lands in phase c mod sw at c / sw. Only
// the interior is written, so the zero borders of the scratch stay zero.
template <typename T>
void fill_phases(const T* plane, const ConvGeometry& g, const PhasedPlane& p, T* phased) {
  for (int64_t q = 0; q < p.phases; ++q) {
    // Phase q, slot k holds padded column q + k·sw, input column q + k·sw − pw: in [0, W) for
    // k in [first, last).
    const int64_t first = std::max<int64_t>(0, (g.pw - q + p.phases - 1) / p.phases);
    const int64_t last = std::min<int64_t>(p.width, (g.width + g.pw - q + p.phases - 1) / p.phases);
    for (int64_t h = 0; h < g.height; ++h) {
      // Indices, not a pointer shifted left of the plane: input column q + k·sw − pw.
      const int64_t row = h * g.width + q - g.pw;
      T* dst = phased + (q * p.rows + h + g.ph) * p.width;
      for (int64_t k = first; k < last; ++k) dst[k] = plane[row + k * p.phases];
    }
  }
}

// The start of tap (i, j)'s input run for output row oh: kh·kw pointers, each read at [ow].
template <typename T>
void tap_rows(const T* phased, const PhasedPlane& p, const ConvGeometry& g, int64_t oh,
              const T** taps) {
  for (int64_t i = 0; i < g.kh; ++i) {
    const int64_t row = oh * g.sh + i * g.dh;
    for (int64_t j = 0; j < g.kw; ++j) {
      const int64_t column = j * g.dw;
      taps[i * g.kw + j] =
          phased + ((column % p.phases) * p.rows + row) * p.width + column / p.phases;
    }
  }
}

// One output row: out[ow] = bias + Σ_t weight[t] · taps[t][ow] over kh·kw taps.
template <typename T>
void convolve_row(const T* const* taps, int64_t tap_count, const T* weights, T bias, int64_t width,
                  bool relu, T* out) {
  for (int64_t ow = 0; ow < width; ++ow) {
    T sum = bias;
    for (int64_t t = 0; t < tap_count; ++t) sum += weights[t] * taps[t][ow];
    out[ow] = relu ? fn::Relu{}(sum) : sum;  // the ReLU op's own formula (NaN -> 0)
  }
}

// The 3×3 row of MobileNet and EfficientNet: nine named input runs and weights, so the sum stays
// in registers and the ow loop runs 16 (8) outputs per vector instruction.
template <typename T>
void convolve_row_3x3(const T* const* taps, const T* weights, T bias, int64_t width, bool relu,
                      T* __restrict out) {
  const T* __restrict a0 = taps[0];
  const T* __restrict a1 = taps[1];
  const T* __restrict a2 = taps[2];
  const T* __restrict b0 = taps[3];
  const T* __restrict b1 = taps[4];
  const T* __restrict b2 = taps[5];
  const T* __restrict c0 = taps[6];
  const T* __restrict c1 = taps[7];
  const T* __restrict c2 = taps[8];
  const T w0 = weights[0], w1 = weights[1], w2 = weights[2], w3 = weights[3], w4 = weights[4],
          w5 = weights[5], w6 = weights[6], w7 = weights[7], w8 = weights[8];
#pragma omp simd
  for (int64_t ow = 0; ow < width; ++ow) {
    // The same order of additions as convolve_row: bias, then taps 0..8.
    T sum = bias + w0 * a0[ow];
    sum += w1 * a1[ow];
    sum += w2 * a2[ow];
    sum += w3 * b0[ow];
    sum += w4 * b1[ow];
    sum += w5 * b2[ow];
    sum += w6 * c0[ow];
    sum += w7 * c1[ow];
    sum += w8 * c2[ow];
    out[ow] = relu ? fn::Relu{}(sum) : sum;
  }
}

// One output plane [Ho, Wo] from a phased input plane and the channel's kh·kw weights.
template <typename T>
void convolve_plane(const T* phased, const PhasedPlane& p, const T* weights, T bias,
                    const ConvGeometry& g, bool relu, T* out, const T** taps) {
  const int64_t tap_count = g.kh * g.kw;
  for (int64_t oh = 0; oh < g.out_height; ++oh) {
    tap_rows(phased, p, g, oh, taps);
    T* row = out + oh * g.out_width;
    if (g.kh == 3 && g.kw == 3) {
      convolve_row_3x3(taps, weights, bias, g.out_width, relu, row);
    } else {
      convolve_row(taps, tap_count, weights, bias, g.out_width, relu, row);
    }
  }
}

// Below this many multiply-adds, waking a thread team costs more than it saves.
constexpr int64_t kParallelMacs = int64_t{1} << 18;

}  // namespace

template <typename T>
void depthwise_conv2d_forward(const T* x, const T* w, const T* bias, const ConvGeometry& g,
                              bool relu, T* y) {
  const PhasedPlane p = phased_plane(g);
  const int64_t planes = g.batch * g.channels;
  const int64_t macs = planes * g.out_height * g.out_width * g.kh * g.kw;
#pragma omp parallel if (macs >= kParallelMacs && !omp_in_parallel())
  {
    ZeroedScratch<T> phased(static_cast<size_t>(p.size()));        // [sw, Hp, Wq]
    std::vector<const T*> taps(static_cast<size_t>(g.kh * g.kw));  // [kh·kw] row pointers
#pragma omp for schedule(static)
    for (int64_t plane = 0; plane < planes; ++plane) {
      const int64_t c = plane % g.channels;
      fill_phases(x + plane * g.plane(), g, p, phased.get());
      convolve_plane(phased.get(), p, w + c * g.kh * g.kw, bias ? bias[c] : T(0), g, relu,
                     y + plane * g.col_cols(), taps.data());
    }
  }
}

template void depthwise_conv2d_forward<float>(const float*, const float*, const float*,
                                              const ConvGeometry&, bool, float*);
template void depthwise_conv2d_forward<double>(const double*, const double*, const double*,
                                               const ConvGeometry&, bool, double*);

}  // namespace camlab::cpu
