// Per-sample image transforms for augmentation and preprocessing, seeded per sample.
//
//   auto crop = random_crop(2);                    // pad 2 with zeros, crop back at random
//   Generator gen(sample_seed(seed, epoch, index));
//   crop->apply({pixels, 1, 28, 28}, gen);        // pixels: float [C, H, W], changed in place
//   auto t = parse_transform("hflip:0.5");          // the config spelling
//
// A transform draws all its randomness from the Generator it is handed, so the same
// (seed, epoch, index) always gives the same image. Pipeline (datasets/pipeline.h) chains them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "datasets/image_dataset.h"
#include "tensor/generator.h"

namespace camlab::datasets {

// One image, float values, planar: data[(c * height + y) * width + x].
struct ImageView {
  float* data;  // [C, H, W]
  int64_t channels, height, width;
};

class Transform {
 public:
  virtual ~Transform() = default;
  // Learns what it needs from the training data (normalize's statistics); no-op for most.
  virtual void fit(const ImageDataset& /*dataset*/) {}
  virtual void apply(ImageView image, Generator& gen) const = 0;
  virtual bool is_random() const = 0;   // false: applied identically at evaluation time too
  virtual std::string str() const = 0;  // the spec that parse_transform reads back
};

// (x - mean[c]) / std[c] on [0, 1]-scaled pixels. Empty mean/std: fit() computes them per channel
// from the dataset; one value applies to every channel.
std::shared_ptr<Transform> normalize(std::vector<double> mean = {}, std::vector<double> std = {});
// Pads each side with `padding` zeros and crops an H x W window at a random offset.
std::shared_ptr<Transform> random_crop(int64_t padding);
// Mirrors left-right with probability p.
std::shared_ptr<Transform> horizontal_flip(double p = 0.5);
// Rotation by U(-degrees, degrees), translation by U(-translate, translate) of the size, scale by
// U(1 - scale, 1 + scale), about the centre; bilinear, zeros outside.
std::shared_ptr<Transform> random_affine(double degrees = 10, double translate = 0.1,
                                         double scale = 0.1);

// "random_crop:2", "hflip", "hflip:0.3", "random_affine", "random_affine:15,0.1,0.2",
// "normalize", "normalize:0.5:0.25", "normalize:0.49,0.48,0.45:0.25,0.24,0.26".
// Unknown names give an Error listing the valid ones and the nearest match.
std::shared_ptr<Transform> parse_transform(std::string_view spec);

}  // namespace camlab::datasets
