// Antialiased bilinear resizing of a float image, as torchvision's Resize(antialias=True).
//
//   Tensor x = ...;                                   // [3, 375, 500] float
//   Tensor y = resize_antialias(x, 256, 341);         // [3, 256, 341]
//
// Plain bilinear interpolation reads 2 source pixels per output pixel, so shrinking by more than
// 2x skips pixels and aliases. The antialiased form is PIL's (Image.resize with BILINEAR, which
// PyTorch copied into interpolate(..., antialias=True)): a triangle filter stretched to the scale,
// so every source pixel under an output pixel contributes. For an axis of `in` -> `out` pixels:
//   scale = in / out, support = max(scale, 1), center_i = (i + 0.5) * scale,
//   taps j in [trunc(center_i - support + 0.5), trunc(center_i + support + 0.5)) clipped to the
//   image, weight_j = max(0, 1 - |j - center_i + 0.5| / max(scale, 1)), normalized to sum 1.
// Upscaling (scale < 1) is then ordinary bilinear with half-pixel centres. The two axes are
// filtered one after the other (width, then height).
#pragma once

#include <cstdint>

#include "tensor/tensor.h"

namespace camlab::datasets {

// image: float32 [C, H, W] on the CPU -> float32 [C, out_height, out_width]. Weights and sums are
// in double.
Tensor resize_antialias(const Tensor& image, int64_t out_height, int64_t out_width);

}  // namespace camlab::datasets
