// Transformation robustness (Lucid: Olah et al. 2017; Mordvintsev et al. 2015): each ascent step
// sees the image jittered, rescaled and rotated a little, so only patterns that survive small
// moves grow. The resampling is bilinear and built from index_select, so gradients flow back.
//
//   Generator gen(0);
//   AffineDraw t = draw_transform({.jitter = 2, .scale = 0.1, .rotate_degrees = 10}, gen);
//   Tensor moved = affine_resample(image, t);        // [B, C, H, W], differentiable
//   Tensor soft = gaussian_blur(image, 0.5);         // raw (no graph): the blur regulariser
#pragma once

#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace camlab::cam::visualize {

struct RobustnessOptions {
  double jitter = 0;          // translation, uniform in [−jitter, jitter] px on each axis
  double scale = 0;           // zoom, uniform in [1 − scale, 1 + scale] (Lucid: 0.9–1.1)
  double rotate_degrees = 0;  // rotation, uniform in [−r, r] degrees (Lucid: ±10°)

  bool any() const { return jitter > 0 || scale > 0 || rotate_degrees > 0; }
};

// One step's transform: output pixel p shows the input at c + R(−angle)·(p − c − shift)/zoom, c the
// image centre.
struct AffineDraw {
  double shift_x = 0;
  double shift_y = 0;
  double zoom = 1;
  double angle = 0;  // radians, counter-clockwise on screen
};

// Draws all four numbers from `gen` every time (whatever is switched off), so the random stream
// does not depend on the options.
AffineDraw draw_transform(const RobustnessOptions& options, Generator& gen);

// image: [B, C, H, W] -> [B, C, H, W], bilinear, source coordinates clamped to the border
// (replicate padding). Differentiable: four index_selects weighted and summed.
Tensor affine_resample(const Tensor& image, const AffineDraw& transform);

// Separable Gaussian blur of σ pixels (radius ⌈3σ⌉), normalised near the border so edges do not
// darken: blur(x) / blur(1). Raw ops, no graph. image: [B, C, H, W].
Tensor gaussian_blur(const Tensor& image, double sigma);

}  // namespace camlab::cam::visualize
