// Pictures for localize and segment: box outlines, class-coloured masks.
//
//   RgbImage cell = render::overlay(render::to_rgb(image), map, Colormap::Jet, 0.5);
//   draw_rectangle(cell, true_box, kTrueBoxColor);        // green
//   draw_rectangle(cell, predicted_box, kPredictedBoxColor);  // red
//   RgbImage seeds = mask_rgb(seed_mask);                  // uint8 [H, W]: a color per class
#pragma once

#include "cam/metrics/box.h"
#include "cam/render/image.h"
#include "tensor/tensor.h"

namespace camlab::experiments {

inline constexpr render::Rgb kTrueBoxColor{0, 200, 0};
inline constexpr render::Rgb kPredictedBoxColor{230, 0, 0};

// The one-pixel outline of the pixels the box covers (x0..x1 − 1, y0..y1 − 1), clipped.
void draw_rectangle(render::RgbImage& image, const cam::Box& box, render::Rgb color);

// Background black, class k a distinct color (label k + 1), unseeded (255) grey.
render::Rgb label_color(int64_t label);
// mask: uint8 [H, W] of labels -> RGB.
render::RgbImage mask_rgb(const Tensor& mask);

}  // namespace camlab::experiments
