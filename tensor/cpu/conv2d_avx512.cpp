// Implicit-GEMM stride-1 convolution on AVX-512 (tensor/cpu/conv2d_avx512.h).
#include "tensor/cpu/conv2d_avx512.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "tensor/cpu/sgemm_avx512.h"

#if CAMLAB_CONV_AVX512
#include <immintrin.h>
#endif

namespace camlab::cpu {

ImplicitShape ImplicitShape::forward(const ConvGeometry& g) {
  return {.in_channels = g.group_channels(),
          .height = g.height,
          .width = g.width,
          .out_channels = g.group_out_channels(),
          .kh = g.kh,
          .kw = g.kw,
          .ph = g.ph,
          .pw = g.pw,
          .dh = g.dh,
          .dw = g.dw};
}

ImplicitShape ImplicitShape::backward_input(const ConvGeometry& g) {
  // dY [O/g, Ho, Wo] padded by (k − 1)·d − p gives back [C/g, H, W]: Ho + 2·((kh − 1)·dh − ph)
  // − (kh − 1)·dh = Ho − 2·ph + (kh − 1)·dh = H.
  return {.in_channels = g.group_out_channels(),
          .height = g.out_height,
          .width = g.out_width,
          .out_channels = g.group_channels(),
          .kh = g.kh,
          .kw = g.kw,
          .ph = (g.kh - 1) * g.dh - g.ph,
          .pw = (g.kw - 1) * g.dw - g.pw,
          .dh = g.dh,
          .dw = g.dw};
}

bool implicit_forward_applies(const ConvGeometry& g) {
  return CAMLAB_CONV_AVX512 && g.sh == 1 && g.sw == 1;
}

bool implicit_backward_input_applies(const ConvGeometry& g) {
  // With fewer than 6 input channels per group most of the 8-row tile would be padding: OpenBLAS
  // is faster there (measured: 46 vs 36 GFLOP/s at C = 4, 28 vs 55 at C = 6, one core).
  return implicit_forward_applies(g) && g.ph <= (g.kh - 1) * g.dh && g.pw <= (g.kw - 1) * g.dw &&
         g.group_channels() >= 6;
}

#if CAMLAB_CONV_AVX512

namespace {

constexpr int64_t kRows = avx512::kTile8x48Rows, kCols = avx512::kTile8x48Cols;
// Longest stretch of K per tile call: 384 rows of B (≤ 384 · 48 floats, and far less since the
// rows of one channel overlap) stay in L1 while the tile walks the output channels.
constexpr int64_t kMaxDepth = 384;
// Columns of Y per band: 8 tiles; [O, 384] floats stay in L2 for O up to several hundred.
constexpr int64_t kBand = 8 * kCols;

// GCC 12's AVX-512 intrinsics pass _mm512_undefined_ps() as the unused merge source, which
// -W(maybe-)uninitialized reports (GCC bug 105593); the value is never read.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// The lanes of the 16-float chunk at i of an n-float row: all 16, or the tail's n − i.
__mmask16 lanes_at(int64_t i, int64_t n) {
  return static_cast<__mmask16>((1u << std::min<int64_t>(n - i, 16)) - 1u);
}

// dst[0, n) = src[0, n). Rows here are 7 to 56 floats: 16 masked lanes at a time is one or two
// instructions where memcpy's call and size dispatch cost more than the copy.
inline void copy_row(const float* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 lanes = lanes_at(i, n);
    _mm512_mask_storeu_ps(dst + i, lanes, _mm512_maskz_loadu_ps(lanes, src + i));
  }
}

// The epilogue of one output row: dst[0, n) = src[0, n) + bias, then max(·, 0) when Relu.
template <bool Relu>
inline void bias_row(const float* src, float* dst, int64_t n, float bias) {
  const __m512 b = _mm512_set1_ps(bias), zero = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 lanes = lanes_at(i, n);
    __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(lanes, src + i), b);
    if constexpr (Relu) v = _mm512_max_ps(v, zero);
    _mm512_mask_storeu_ps(dst + i, lanes, v);
  }
}

#pragma GCC diagnostic pop

}  // namespace

ImplicitConv::ImplicitConv(const ImplicitShape& s) : s_(s) {
  padded_height_ = s.height + 2 * s.ph;
  padded_width_ = s.width + 2 * s.pw;
  out_height_ = padded_height_ - (s.kh - 1) * s.dh;
  out_width_ = padded_width_ - (s.kw - 1) * s.dw;
  depth_ = s.in_channels * s.kh * s.kw;
  band_ = std::min(kBand, round_up(out_height_ * padded_width_, kCols));
  out_rows_ = round_up(s.out_channels, kRows);
  offsets_.resize(static_cast<size_t>(depth_));
  for (int64_t c = 0, k = 0; c < s.in_channels; ++c) {
    for (int64_t ki = 0; ki < s.kh; ++ki) {
      for (int64_t kj = 0; kj < s.kw; ++kj, ++k) {
        offsets_[k] = (c * padded_height_ + ki * s.dh) * padded_width_ + kj * s.dw;
      }
    }
  }
  // The last tile reads row K − 1 up to 48 columns past Ho·Wp: slack that stays zero.
  padded_size_ = std::max(s.in_channels * padded_height_ * padded_width_,
                          offsets_.back() + out_height_ * padded_width_ + kCols);
}

// x: [C, H, W] -> padded: [C, Hp, Wp], interior only (the border is zero from the start).
void ImplicitConv::pad_input(const float* x, float* padded) const {
  for (int64_t c = 0; c < s_.in_channels; ++c) {
    for (int64_t h = 0; h < s_.height; ++h) {
      copy_row(x + (c * s_.height + h) * s_.width,
               padded + (c * padded_height_ + h + s_.ph) * padded_width_ + s_.pw, s_.width);
    }
  }
}

void ImplicitConv::run(const float* x, const float* a, const float* bias, float* y,
                       float* workspace, bool relu) const {
  float* padded = workspace;            // [C, Hp, Wp] + slack
  float* c = workspace + padded_size_;  // [O rounded to 8, band_]: one band of Y in rows Wp wide
  pad_input(x, padded);
  // Y [O, P] = A [O, K] · B [K, P], B row k = padded + offsets[k], P = Ho·Wp. P is cut into
  // bands so that a band of Y stays in cache until its junk columns are dropped; K into blocks
  // of ≤ kMaxDepth rows.
  const int64_t n = out_height_ * padded_width_;
  const int64_t blocks = (depth_ + kMaxDepth - 1) / kMaxDepth;
  const int64_t block_depth = (depth_ + blocks - 1) / blocks;
  for (int64_t b0 = 0; b0 < n; b0 += band_) {
    const int64_t b1 = std::min(n, b0 + band_);
    for (int64_t k0 = 0; k0 < depth_; k0 += block_depth) {
      const int64_t depth = std::min(block_depth, depth_ - k0);
      for (int64_t p0 = b0; p0 < b1; p0 += kCols) {
        for (int64_t o0 = 0; o0 < out_rows_; o0 += kRows) {
          avx512::gemm_tile_8x48(depth, a + o0 * depth_ + k0 * kRows, padded + p0,
                                 offsets_.data() + k0, c + o0 * band_ + p0 - b0, band_, k0 > 0);
        }
      }
    }
    // Wide columns [b0, b1) -> y, dropping the Wp − Wo junk columns of each row; the epilogue
    // adds the bias and, fused, applies the ReLU while the band is still in cache.
    for (int64_t o = 0; o < s_.out_channels; ++o) {
      const float bo = bias != nullptr ? bias[o] : 0.0f;
      for (int64_t oh = b0 / padded_width_; oh * padded_width_ < b1; ++oh) {
        const int64_t row = oh * padded_width_;
        const int64_t begin = std::max(b0 - row, int64_t{0});
        const int64_t end = std::min(b1 - row, out_width_);
        const float* src = c + o * band_ + row - b0;
        float* dst = y + (o * out_height_ + oh) * out_width_;
        if (end <= begin) continue;
        if (relu) {
          bias_row<true>(src + begin, dst + begin, end - begin, bo);
        } else {
          bias_row<false>(src + begin, dst + begin, end - begin, bo);
        }
      }
    }
  }
}

namespace {

// GCC 12's AVX-512 shuffle and unpack intrinsics pass _mm512_undefined_ps() as the unused merge
// source, which -W(maybe-)uninitialized reports (GCC bug 105593); the value is never read.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// r: 16 rows of 16 floats -> r: their transpose, in registers: interleave 32-bit then 64-bit
// elements within 128-bit lanes, then gather the lanes (64 shuffles).
void transpose16x16(__m512* r) {
  __m512 t[16], u[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);      // lane L: r_i[0], r_i+1[0], r_i[1], r_i+1[1]
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);  // lane L: the same for elements 2, 3
  }
  const auto lo = [](__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
  };
  const auto hi = [](__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
  };
  // u[4g + j], lane L: element 4L + j of rows 4g .. 4g + 3
  for (int g = 0; g < 4; ++g) {
    u[4 * g + 0] = lo(t[4 * g], t[4 * g + 2]);
    u[4 * g + 1] = hi(t[4 * g], t[4 * g + 2]);
    u[4 * g + 2] = lo(t[4 * g + 1], t[4 * g + 3]);
    u[4 * g + 3] = hi(t[4 * g + 1], t[4 * g + 3]);
  }
  // Column 4L + j takes lane L of u[j], u[4 + j], u[8 + j], u[12 + j].
  for (int j = 0; j < 4; ++j) {
    const __m512 v = _mm512_shuffle_f32x4(u[j], u[4 + j], 0x88);  // lanes 0, 2 of each
    const __m512 w = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0x88);
    const __m512 v1 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0xDD);  // lanes 1, 3 of each
    const __m512 w1 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0xDD);
    r[j] = _mm512_shuffle_f32x4(v, w, 0x88);
    r[8 + j] = _mm512_shuffle_f32x4(v, w, 0xDD);
    r[4 + j] = _mm512_shuffle_f32x4(v1, w1, 0x88);
    r[12 + j] = _mm512_shuffle_f32x4(v1, w1, 0xDD);
  }
}

#pragma GCC diagnostic pop

}  // namespace

// dy: [channels ≤ 32, Ho, Wo] -> panel: [Ho·Wp, 32], zero in junk rows (ow ≥ Wo) and in the
// columns past `channels`. 16x16 blocks are loaded along dY's rows and transposed in registers:
// a scalar or gathering transpose would cost a quarter of the GEMM it feeds.
void ImplicitConv::transpose_gradient(const float* dy, int64_t channels, float* panel) const {
  constexpr int64_t V = avx512::kTile12x32Cols;
  const int64_t plane = out_height_ * out_width_;
  __m512 r[16];
  for (int64_t oh = 0; oh < out_height_; ++oh) {
    float* rows = panel + oh * padded_width_ * V;  // [Wp, 32]
    for (int64_t ow0 = 0; ow0 < out_width_; ow0 += 16) {
      const int64_t count = std::min<int64_t>(16, out_width_ - ow0);
      const __mmask16 mask = lanes_at(ow0, out_width_);
      for (int64_t half = 0; half < V; half += 16) {
        for (int64_t i = 0; i < 16; ++i) {
          const int64_t o = half + i;
          r[i] = o < channels ? _mm512_maskz_loadu_ps(mask, dy + o * plane + oh * out_width_ + ow0)
                              : _mm512_setzero_ps();
        }
        transpose16x16(r);
        for (int64_t j = 0; j < count; ++j) _mm512_store_ps(rows + (ow0 + j) * V + half, r[j]);
      }
    }
    std::fill(rows + out_width_ * V, rows + padded_width_ * V, 0.0f);
  }
}

void ImplicitConv::accumulate_weight_grad(const float* x, const float* dy, float* dwt,
                                          float* workspace) const {
  // The tile: R rows of K, V columns of O.
  constexpr int64_t R = avx512::kTile12x32Rows, V = avx512::kTile12x32Cols;
  float* padded = workspace;  // [C, Hp, Wp] + slack
  pad_input(x, padded);
  // dYᵀ packed per 32 output channels: [ceil(O/32), P, 32], P = Ho·Wp. Rows of junk columns
  // (ow ≥ Wo) and channels past O are zero, so they add nothing.
  const int64_t n = out_height_ * padded_width_;
  const uintptr_t end = reinterpret_cast<uintptr_t>(workspace + padded_size_);
  float* dyt = reinterpret_cast<float*>((end + 63) / 64 * 64);
  const int64_t O = s_.out_channels, plane = out_height_ * out_width_;
  for (int64_t o0 = 0; o0 < O; o0 += V) {
    transpose_gradient(dy + o0 * plane, std::min(V, O - o0), dyt + o0 * n);
  }
  // dWᵀ [K, O] += cols [K, P] · dYᵀ [P, O]: cols rows read in place from the padded copy. Each
  // tile runs the whole of P, so its 24 accumulators meet memory once per sample. (Cutting P
  // into chunks whose dYᵀ panel stays in L1 measured 4-7% slower: the panel streams from L2
  // at 128 bytes per 12 cycles, well within its bandwidth.)
  const float* a[R];
  for (int64_t o0 = 0; o0 < O; o0 += V) {
    const float* panel = dyt + o0 * n;
    for (int64_t k0 = 0; k0 < depth_; k0 += R) {
      // Rows past K repeat the last one (readable memory); they land in dwt's spare rows.
      for (int64_t r = 0; r < R; ++r) a[r] = padded + offsets_[std::min(k0 + r, depth_ - 1)];
      avx512::gemm_tile_12x32(n, a, panel, dwt + k0 * grad_cols() + o0, grad_cols());
    }
  }
}

#endif  // CAMLAB_CONV_AVX512

}  // namespace camlab::cpu
