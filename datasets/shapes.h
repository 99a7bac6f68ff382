// A synthetic shapes dataset that needs nothing installed: one circle, square, triangle or cross
// per image on uniform noise, with its exact box and mask. Used where Fashion-MNIST is missing and
// as a localization/segmentation sanity check (the ground truth is known to the pixel).
//
//   ImageDataset d = make_shapes({.n = 2000, .size = 32, .seed = 7});
//   // images uint8 [2000, 1, 32, 32], labels int64 [2000] (i % 4), boxes float32 [2000, 1, 4],
//   // masks uint8 [2000, 32, 32] with value label + 1 on the shape's pixels
//
// Item i is a pure function of (seed, i): a subset regenerated with a larger n is unchanged.
#pragma once

#include <string>
#include <vector>

#include "datasets/image_dataset.h"

namespace camlab::datasets {

struct ShapesOptions {
  int64_t n = 1000;
  int64_t size = 32;  // images are size x size
  uint64_t seed = 0;
  int64_t channels = 1;  // 1 (gray) or 3 (a random colour per shape)
  double noise = 0.3;    // background is uniform in [0, noise] (fraction of 255)
};

const std::vector<std::string>& shapes_classes();  // circle, square, triangle, cross

ImageDataset make_shapes(const ShapesOptions& options = {});

}  // namespace camlab::datasets
