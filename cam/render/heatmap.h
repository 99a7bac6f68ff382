// Tensors to pictures: images, heatmaps and heatmaps blended over images.
//
//   RgbImage input = to_rgb(x);                                   // x: [1, 28, 28], min-max
//   RgbImage fixed = to_rgb(x, DisplayRange{0.0, 1.0});           // a given range, clamped
//   RgbImage heat = heatmap_rgb(cam, Colormap::Jet);              // cam: [28, 28] in [0, 1]
//   RgbImage blend = overlay(input, cam, Colormap::Jet, 0.5);     // heat·α + image·(1 − α)
#pragma once

#include <optional>

#include "cam/render/colormap.h"
#include "cam/render/image.h"
#include "tensor/tensor.h"

namespace camlab::render {

// The values shown as black (low) and full intensity (high); values outside are clamped.
struct DisplayRange {
  double low = 0.0;
  double high = 1.0;
};

// image: [C, H, W] with C = 1 (grey) or 3 (RGB), or [H, W]; any device. Floating images default
// to their own min-max range (a constant image falls back to [0, 1]); uint8 images to [0, 255].
RgbImage to_rgb(const Tensor& image, std::optional<DisplayRange> range = std::nullopt);

// map: [H, W] (or [1, H, W]) in [0, 1]; values outside are clamped, NaN/inf is an Error.
RgbImage heatmap_rgb(const Tensor& map, Colormap cmap);

// out = round(heat·alpha + base·(1 − alpha)) per channel, heat = colormap_rgb(map): the blend of
// pytorch-grad-cam's show_cam_on_image (alpha = 1 − image_weight), without its final division by
// the maximum, so overlays of different maps stay comparable. map: [H, W] at the base's size.
RgbImage overlay(const RgbImage& base, const Tensor& map, Colormap cmap, double alpha = 0.5);

}  // namespace camlab::render
