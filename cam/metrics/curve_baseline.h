// What deletion and insertion put where pixels are removed (faithfulness.h): black (0 in the
// model's input space, the fill of Petsiuk et al. 2018), a Gaussian blur of the image (RISE's
// insertion start, sec. 4.1) or the dataset's mean per channel. On a black background a black fill
// removes nothing, which the blur and the mean avoid (the leakage ROAD, road.h, addresses by
// imputation).
//
//   CurveBaseline kind = parse_curve_baseline("blur");                 // one-line error otherwise
//   Tensor base = baseline_images(images, kind, {.channel_mean = mean});  // [N, C, H, W]
//   deletion_curves(p, images, maps, classes, {.baseline_images = base});
#pragma once

#include <string>
#include <string_view>

#include "tensor/tensor.h"

namespace camlab::cam {

enum class CurveBaseline { black, blur, mean };

// "black", "blur" or "mean"; anything else is an error naming `key` and the valid names.
CurveBaseline parse_curve_baseline(std::string_view name, std::string_view key = "baseline");
std::string curve_baseline_name(CurveBaseline kind);

struct BaselineOptions {
  double blur_sigma = 5.0;  // σ in pixels of the blur (radius ⌈3σ⌉, edges renormalised)
  Tensor channel_mean;      // [C] the dataset's mean per channel (input space), for `mean`
};

// images [N, C, H, W] -> the baseline of each image [N, C, H, W].
Tensor baseline_images(const Tensor& images, CurveBaseline kind, const BaselineOptions& options);

}  // namespace camlab::cam
