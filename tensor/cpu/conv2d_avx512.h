// Stride-1 float32 convolution as an implicit GEMM on AVX-512: the GEMM reads its im2col
// operand straight out of a zero-padded copy of the image, so no im2col buffer is ever written.
//
//   const ImplicitConv conv(ImplicitShape::forward(g));             // one group's geometry
//   std::vector<float> a = conv.pack([&](int64_t o, int64_t k) { return w_g[o * K + k]; });
//   std::vector<float> work(conv.workspace_size());                 // zeroed, one per thread
//   conv.run(x_g, a.data(), bias_g, y_g, work.data());              // y_g = W_g ⋆ x_g + b_g
//   conv.accumulate_weight_grad(x_g, dy_g, dw_t, work.data());      // dW_gᵀ += cols · dY_gᵀ
//
// Why it is fast: with unit stride, row k = (c, ki, kj) of im2col is the padded image
// read from offset c·Hp·Wp + ki·dh·Wp + kj·dw, if output rows are taken Wp wide (tensor/cpu/
// im2col.h explains the Wp − Wo junk columns). The GEMM tiles (tensor/cpu/sgemm_avx512.h) read
// those rows through an offset or pointer table, so the only copy left is the padded image.
//   forward        Y [O, P] = W [O, K] · cols [K, P]      8x48 tile, B rows = cols rows
//   weight grad    dWᵀ [K, O] += cols [K, P] · dYᵀ [P, O]  12x32 tile, A rows = cols rows
//   input grad     the forward of dY with flipped, transposed filters (below)
//
// The input gradient of a stride-1 convolution is itself a stride-1 convolution of dY, padded by
// (k − 1)·d − p, with the filters flipped and their in/out channels swapped:
//   dX[c, i, j] = Σ_{o, ki, kj} w[o, c, kh−1−ki, kw−1−kj] · dYpad[o, i + ki·dh, j + kj·dw]
// ImplicitShape::backward_input(g) describes that convolution, so one `run` serves both.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "tensor/cpu/im2col.h"
#include "tensor/cpu/sgemm_avx512.h"

#if defined(__AVX512F__)
#define CAMLAB_CONV_AVX512 1
#else
#define CAMLAB_CONV_AVX512 0
#endif

namespace camlab::cpu {

// One stride-1 correlation of a [in_channels, height, width] image (one sample, one group).
struct ImplicitShape {
  int64_t in_channels, height, width, out_channels;
  int64_t kh, kw, ph, pw, dh, dw;

  // The forward convolution of one group of g.
  static ImplicitShape forward(const ConvGeometry& g);
  // The convolution of dY that yields dX for one group of g (see the file comment).
  static ImplicitShape backward_input(const ConvGeometry& g);
};

// Whether the implicit GEMM handles this float32 convolution's forward and weight gradient:
// an AVX-512 build and unit stride.
bool implicit_forward_applies(const ConvGeometry& g);
// ... and its input gradient, which also needs padding ≤ (k − 1)·dilation (so that dY's own
// padding, (k − 1)·d − p, is not negative) and at least 6 input channels per group.
bool implicit_backward_input_applies(const ConvGeometry& g);

#if CAMLAB_CONV_AVX512

class ImplicitConv {
 public:
  explicit ImplicitConv(const ImplicitShape& s);

  int64_t depth() const { return depth_; }  // K = in_channels·kh·kw
  // Floats of per-thread scratch; it must start zeroed (the padding borders are never written).
  // Layout: the padded copy, then [O rounded to 8, band] for a band of the output (run) or
  // dYᵀ [O rounded to 32, Ho·Wp] (accumulate_weight_grad), with 16 floats of slack to start the
  // latter on a cache line.
  int64_t workspace_size() const {
    return padded_size_ + std::max(out_rows_ * band_, grad_cols() * out_height_ * padded_width_) +
           16;
  }
  // The weight gradient's layout, dWᵀ [grad_rows(), grad_cols()]: K and O rounded up to the
  // tile (12 x 32); rows and columns past K and O are scratch.
  int64_t grad_rows() const { return round_up(depth_, avx512::kTile12x32Rows); }
  int64_t grad_cols() const { return round_up(s_.out_channels, avx512::kTile12x32Cols); }

  // Filters in the tile's layout: [ceil(O/8), K, 8], rows past O zero. weight(o, k) is filter
  // o's value at k = (c·kh + ki)·kw + kj.
  template <typename Weight>
  std::vector<float> pack(Weight&& weight) const;

  // x: [in_channels, H, W], a: pack()'s output, bias: [out_channels] or null
  //   -> y: [out_channels, Ho, Wo] (overwritten), max(·, 0) when relu
  void run(const float* x, const float* a, const float* bias, float* y, float* workspace,
           bool relu = false) const;

  // x: [in_channels, H, W], dy: [out_channels, Ho, Wo] -> dwt: dWᵀ [grad_rows(), grad_cols()]
  // (added to; dwt[k][o] is the gradient of weight(o, k))
  void accumulate_weight_grad(const float* x, const float* dy, float* dwt, float* workspace) const;

 private:
  static int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }
  void pad_input(const float* x, float* padded) const;
  void transpose_gradient(const float* dy, int64_t channels, float* panel) const;

  ImplicitShape s_;
  int64_t padded_height_, padded_width_;  // Hp, Wp: the image with its zero border
  int64_t out_height_, out_width_;        // Ho, Wo
  int64_t depth_;                         // K
  int64_t band_;                          // columns of Y per band: a multiple of 48
  int64_t out_rows_;                      // O rounded up to the tile's 8 rows
  int64_t padded_size_;                   // floats of the padded copy, slack for the last tile
  std::vector<int64_t> offsets_;          // [K] where row k of im2col starts in the padded copy
};

template <typename Weight>
std::vector<float> ImplicitConv::pack(Weight&& weight) const {
  constexpr int64_t R = avx512::kTile8x48Rows;
  std::vector<float> a(static_cast<size_t>(out_rows_ * depth_), 0.0f);  // [O/8, K, 8]
  for (int64_t o = 0; o < s_.out_channels; ++o) {
    float* tile = a.data() + (o / R) * depth_ * R + o % R;
    for (int64_t k = 0; k < depth_; ++k) tile[k * R] = weight(o, k);
  }
  return a;
}

#endif  // CAMLAB_CONV_AVX512

}  // namespace camlab::cpu
