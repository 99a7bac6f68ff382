// Pipeline: transforms applied in order, each with its own stream of the sample's seed.
//
//   Pipeline train = Pipeline::parse({"random_crop:2", "hflip", "normalize"});
//   train.fit(train_set);                      // normalize learns the training statistics
//   Pipeline eval = train.eval_only();          // just normalize, sharing those statistics
//   train.apply({pixels, 1, 28, 28}, seed, epoch, index);   // pixels: float [C, H, W]
//
// The image that comes out is a pure function of (pixels, seed, epoch, index).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datasets/transform.h"

namespace camlab::datasets {

class Pipeline {
 public:
  Pipeline() = default;
  explicit Pipeline(std::vector<std::shared_ptr<Transform>> transforms)
      : transforms_(std::move(transforms)) {}
  static Pipeline parse(const std::vector<std::string>& specs);

  Pipeline& add(std::shared_ptr<Transform> transform);
  // Fits every transform that needs data; those already fitted or configured keep their values.
  void fit(const ImageDataset& dataset);
  void apply(ImageView image, uint64_t seed, int64_t epoch, int64_t index) const;
  // The deterministic transforms only (shared, not copied), for evaluation.
  Pipeline eval_only() const;

  bool empty() const { return transforms_.empty(); }
  size_t size() const { return transforms_.size(); }
  std::vector<std::string> specs() const;

 private:
  std::vector<std::shared_ptr<Transform>> transforms_;
};

}  // namespace camlab::datasets
