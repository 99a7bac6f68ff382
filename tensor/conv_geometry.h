// The sizes of one 2-D convolution, written once for the frontend (tensor/ops/conv2d.cpp), the CPU
// kernels (tensor/cpu/conv2d.cpp, im2col.h) and the CUDA kernels (tensor/cuda/conv2d.cu, which
// pass it by value to the device).
//
//   ConvGeometry g = make_conv_geometry(x.shape(), w.size(0), params);
//   g.out_height;        // Ho
//   g.group_col_rows();  // (C/groups)·kh·kw: the GEMM's inner dimension per group
//   int64_t wo = conv_output_extent(28, 3, 1, 1, 1);   // 28
#pragma once

#include <cstdint>

#include "tensor/hd.h"
#include "tensor/op_params.h"
#include "tensor/shape.h"

namespace camlab {

// Output size along one axis (PyTorch's Conv2d docs):
// Ho = ⌊(H + 2·pad − dilation·(kernel − 1) − 1) / stride⌋ + 1. The numerator is negative when the
// dilated kernel does not fit the padded input; the frontend rejects that before any kernel runs.
CAMLAB_HD int64_t conv_output_extent(int64_t in, int64_t kernel, int64_t stride, int64_t pad,
                                     int64_t dilation) {
  return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
}

// x: [N, C, H, W], w: [O, C/groups, kh, kw] -> y: [N, O, Ho, Wo]. im2col unrolls one sample to
// cols [C·kh·kw, Ho·Wo] with rows ordered (c, ki, kj), so group g owns a contiguous band of
// group_col_rows() rows.
struct ConvGeometry {
  int64_t batch, channels, height, width;  // x: [N, C, H, W]
  int64_t out_channels, out_height, out_width;
  int64_t kh, kw, sh, sw, ph, pw, dh, dw, groups;

  CAMLAB_HD int64_t group_channels() const { return channels / groups; }
  CAMLAB_HD int64_t group_out_channels() const { return out_channels / groups; }
  CAMLAB_HD int64_t col_rows() const { return channels * kh * kw; }                // K, all groups
  CAMLAB_HD int64_t group_col_rows() const { return group_channels() * kh * kw; }  // K / groups
  CAMLAB_HD int64_t col_cols() const { return out_height * out_width; }            // P = Ho·Wo
  CAMLAB_HD int64_t plane() const { return height * width; }
  CAMLAB_HD int64_t image_size() const { return channels * plane(); }
  // A 1x1 kernel with unit stride and no padding needs no unrolling: cols is x itself.
  CAMLAB_HD bool cols_are_input() const {
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
  }
};

// out_channels may be 0 where only the input side matters (im2col, col2im).
inline ConvGeometry make_conv_geometry(const Shape& x_shape, int64_t out_channels,
                                       const Conv2dParams& p) {
  ConvGeometry g{};
  g.batch = x_shape[0];
  g.channels = x_shape[1];
  g.height = x_shape[2];
  g.width = x_shape[3];
  g.out_channels = out_channels;
  g.kh = p.kernel[0];
  g.kw = p.kernel[1];
  g.sh = p.stride[0];
  g.sw = p.stride[1];
  g.ph = p.padding[0];
  g.pw = p.padding[1];
  g.dh = p.dilation[0];
  g.dw = p.dilation[1];
  g.groups = p.groups;
  g.out_height = conv_output_extent(g.height, g.kh, g.sh, g.ph, g.dh);
  g.out_width = conv_output_extent(g.width, g.kw, g.sw, g.pw, g.dw);
  return g;
}

}  // namespace camlab
