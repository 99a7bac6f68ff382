// Whether a map points at what the network uses: the confidence left when only the map's pixels
// are shown (Average Drop, Increase in Confidence; Chattopadhay et al. 2018, Grad-CAM++ sec. 6.1),
// and the probability curves as the most important pixels are removed or restored in map order
// (Deletion, Insertion; Petsiuk et al. 2018, RISE sec. 4.1).
//
//   ClassProbability p = [&](const Tensor& x, const Tensor& c) { return prob_of(model, x, c); };
//   Tensor y = p(images, classes), o = p(mask_inputs(images, maps), classes);     // [N]
//   double drop = ops::mean(confidence_drop(y, o)).item();                         // lower: better
//   Tensor del = deletion_curves(p, images, maps, classes, {.steps = 20});          // [N, 21]
//   Tensor auc = curve_auc(del);                                                   // [N]
#pragma once

#include <cstdint>
#include <functional>

#include "tensor/tensor.h"

namespace camlab::cam {

// images [B, C, H, W], classes int64 [B] -> the probability of each image's class, float [B]
// (softmax for single-label networks, sigmoid for multi-label ones). Called on CPU tensors; the
// function moves them where the model is.
using ClassProbability = std::function<Tensor(const Tensor& images, const Tensor& classes)>;

// x ⊙ map: images [N, C, H, W], maps [N, H, W] in [0, 1] -> [N, C, H, W].
Tensor mask_inputs(const Tensor& images, const Tensor& maps);
// max(0, y − o) / y per image, y and o [N] (Average Drop is its mean).
Tensor confidence_drop(const Tensor& y, const Tensor& o);
// 1[o > y] per image as float [N] (Increase in Confidence is its mean).
Tensor confidence_increase(const Tensor& y, const Tensor& o);

struct CurveOptions {
  int64_t steps = 20;        // curve points at 0, 1/steps, ..., 1 of the pixels
  double baseline = 0.0;     // the value a removed pixel takes (in the model's input space)
  Tensor baseline_images;    // [N, C, H, W] per-pixel values instead (curve_baseline.h), if set
  int64_t batch_size = 128;  // images per call of the probability function
};

// [N, steps + 1]: point k is the class probability after setting the ⌊k·P/steps⌉ highest-map
// pixels (all channels; ties in pixel order) of each image to the baseline (the baseline image's
// pixel when options.baseline_images is set). Lower area: better.
Tensor deletion_curves(const ClassProbability& probability, const Tensor& images,
                       const Tensor& maps, const Tensor& classes, const CurveOptions& options = {});
// The same, starting from the baseline image and restoring those pixels. Higher area: better.
Tensor insertion_curves(const ClassProbability& probability, const Tensor& images,
                        const Tensor& maps, const Tensor& classes,
                        const CurveOptions& options = {});
// Trapezoid area under each curve [N, S + 1] over x in [0, 1], both ends included -> [N].
Tensor curve_auc(const Tensor& curves);

}  // namespace camlab::cam
