// Composite localization data: real items (Fashion-MNIST) pasted at random positions and scales on
// a larger black canvas, with the exact box and pixel mask of every item, so that weakly-
// supervised localization and segmentation can be scored against true ground truth.
//
//   ImageDataset base = load_fashion_mnist(fashion_mnist_dir(), "test");
//   ImageDataset d = make_composite(base, {.n = 2000, .canvas = 64, .objects = 2, .seed = 1});
//   // images uint8 [2000, 1, 64, 64], labels uint8 [2000, 10] multi-hot (int64 [N] for one
//   // object), boxes float32 [2000, 2, 4], masks uint8 [2000, 64, 64] (0 background, k + 1)
//
// Item i is a pure function of (base, options, i). Box rows of a two-object canvas are in
// ascending class order, so row j belongs to the j-th present class (how `camlab localize` pairs
// boxes with the classes of a multi-hot label).
#pragma once

#include <cstdint>

#include "datasets/image_dataset.h"

namespace camlab::datasets {

struct CompositeOptions {
  int64_t n = 1000;
  int64_t canvas = 64;     // images are canvas x canvas
  int64_t objects = 1;     // 1 or 2 items per canvas; two items are of different classes
  double scale_min = 0.7;  // each item is resized by a factor drawn from [scale_min, scale_max]
  double scale_max = 1.3;
  int64_t clutter = 0;         // faint fragments of other items per canvas (not in the masks)
  double clutter_level = 0.3;  // fragment brightness relative to the item's
  uint64_t seed = 0;
};

// base: uint8 [M, C, h, w] with int64 labels (one class per item). Errors name the option that
// is out of range and what would be valid.
ImageDataset make_composite(const ImageDataset& base, const CompositeOptions& options);

}  // namespace camlab::datasets
