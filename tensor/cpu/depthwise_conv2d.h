// Depthwise convolution (groups = input channels = output channels, as MobileNet and EfficientNet
// use) computed directly, one channel plane at a time. The general path treats it as C GEMMs of
// one output row each, which run at a few percent of the FMA peak; here each output row is a sum
// of kh·kw shifted input rows scaled by one weight, a loop the compiler vectorizes.
//
//   const ConvGeometry g = make_conv_geometry(x.shape(), C, {.kernel = {3, 3}, .stride = {2, 2},
//                                                            .padding = {1, 1}, .groups = C});
//   if (is_depthwise(g)) depthwise_conv2d_forward<float>(x, w, bias, g, false, y);
//   // x [N, C, H, W], w [C, 1, kh, kw], bias [C] or null -> y [N, C, Ho, Wo]
//
// Strides: the padded plane is split into sw column phases (phase q holds padded columns q, q+sw,
// q+2sw, ...), so tap j of output column ow reads phase (j·dw) mod sw at ow + ⌊j·dw / sw⌋, a
// contiguous run for every stride.
#pragma once

#include "tensor/conv_geometry.h"

namespace camlab::cpu {

inline bool is_depthwise(const ConvGeometry& g) {
  return g.groups > 1 && g.groups == g.channels && g.out_channels == g.channels;
}

// x: [N, C, H, W], w: [C, 1, kh, kw], bias: [C] (may be null) -> y: [N, C, Ho, Wo];
// relu: y = max(conv + bias, 0), NaN -> 0 as the ReLU op.
template <typename T>
void depthwise_conv2d_forward(const T* x, const T* w, const T* bias, const ConvGeometry& g,
                              bool relu, T* y);

}  // namespace camlab::cpu
