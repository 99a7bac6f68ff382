// Composite localization data: real items (Fashion-MNIST) pasted at random positions and scales on
// a larger black canvas, with the exact box and pixel mask of every item, so that weakly-
// supervised localization and segmentation can be scored against true ground truth.
//
//   ImageDataset base = load_fashion_mnist(fashion_mnist_dir(), "test");
//   ImageDataset d = make_composite(base, {.n = 2000, .canvas = 64, .objects = 2, .seed = 1});
//   // images uint8 [2000, 1, 64, 64], labels uint8 [2000, 10] multi-hot (int64 [N] for one
//   // object), boxes float32 [2000, 2, 4], masks uint8 [2000, 64, 64] (0 background, k + 1)
//
// With .background = textured the black canvas gives way to a background that "anything fired"
// no longer finds: low-contrast square tiles cut from other items plus smooth noise, every
// background pixel at most texture_level·255 (tiles up to 0.6 of it, noise up to 0.4), and
// `distractors` whole items of other classes than the targets, dimmed to distractor_level,
// placed away from the targets, left out of the masks (0) and recorded in
// distractor_boxes float32 [N, D, 4], so that evaluation can ignore them:
//
//   ImageDataset t = make_composite(base, {.n = 2000, .background = Background::textured});
//
// Item i is a pure function of (base, options, i); black canvases are the same as before the
// textured option existed (its choices come from a stream of their own). Box rows of a two-object
// canvas are in ascending class order, so row j belongs to the j-th present class (how `camlab
// localize` pairs boxes with the classes of a multi-hot label).
#pragma once

#include <cstdint>
#include <string>

#include "datasets/image_dataset.h"

namespace camlab::datasets {

enum class Background { black, textured };

struct CompositeOptions {
  int64_t n = 1000;
  int64_t canvas = 64;     // images are canvas x canvas
  int64_t objects = 1;     // 1 or 2 items per canvas; two items are of different classes
  double scale_min = 0.7;  // each item is resized by a factor drawn from [scale_min, scale_max]
  double scale_max = 1.3;
  int64_t clutter = 0;         // faint fragments of other items per canvas (not in the masks)
  double clutter_level = 0.3;  // fragment brightness relative to the item's
  Background background = Background::black;
  double texture_level = 0.25;    // textured: the brightest background pixel, relative to 255
  int64_t tiles = 6;              // textured: tiles of other items per canvas
  int64_t distractors = 1;        // textured: items of other classes per canvas
  double distractor_level = 0.5;  // textured: their brightness relative to the item's
  uint64_t seed = 0;
};

// "black" or "textured" -> Background; anything else is an Error naming the valid values.
Background parse_background(const std::string& name);

// base: uint8 [M, C, h, w] with int64 labels (one class per item). Errors name the option that
// is out of range and what would be valid.
ImageDataset make_composite(const ImageDataset& base, const CompositeOptions& options);

}  // namespace camlab::datasets
