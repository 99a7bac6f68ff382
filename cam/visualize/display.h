// Showing activations and synthesised inputs as Chollet does ("Deep Learning with Python",
// §5.4): standardise each picture, then map to bytes with x·64 + 128, clipped to [0, 255].
//
//   RgbImage cell = standardized_rgb(activation.select(0, 3));  // [h, w] -> grey cell
//   RgbImage pic = standardized_rgb(images.select(0, 0));       // [3, H, W] -> colour
//   bool dead = is_all_zero(activation.select(0, 3));           // shown black, labelled "dead"
#pragma once

#include <vector>

#include "cam/render/image.h"
#include "tensor/tensor.h"

namespace camlab::cam::visualize {

// A host float64 row-major copy of any tensor.
std::vector<double> host_values(const Tensor& t);

// bytes = clip((x − mean) / std · 64 + 128, 0, 255), statistics over the whole picture (all its
// colour channels together). A constant picture has no std: zeros stay black, any other constant
// is mid grey. picture: [H, W], [1, H, W] (grey) or [3, H, W] (colour); other channel counts are
// shown as the grey mean of their channels.
render::RgbImage standardized_rgb(const Tensor& picture);

// Whether every value is exactly zero (a "dead" ReLU channel for this input).
bool is_all_zero(const Tensor& t);

}  // namespace camlab::cam::visualize
