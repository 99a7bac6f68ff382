// Segmentation from class maps: seed masks (the cues SEC trains from; Kolesnikov & Lampert 2016)
// and mean IoU over classes + background against true masks.
//
//   Tensor seeds = seed_mask(maps, {3, 7}, {.foreground = 0.2, .background = 0.1});  // [H, W]
//   ConfusionMatrix confusion(11);                // 10 classes + background
//   confusion.add(true_masks, predicted);         // uint8 [N, H, W]: 0 background, k + 1
//   double miou = confusion.mean_iou();           // over labels present in truth or prediction
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::cam {

// A pixel with no seed: ignored by the seed loss; scored as background.
constexpr uint8_t kIgnoreLabel = 255;

struct SeedOptions {
  double foreground = 0.2;  // class k where its map ≥ foreground · max of that map
  double background = 0.2;  // background where every present class's map < background · its max
};

// maps: float [P, H, W], one map per class present in the image; classes: those P class indices.
// -> uint8 [H, W]: k + 1 where class k passes the foreground test (the highest relative value
// max-normalised wins when several do), 0 where all maps are low, kIgnoreLabel in between.
Tensor seed_mask(const Tensor& maps, const std::vector<int64_t>& classes,
                 const SeedOptions& options = {});

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int64_t labels);  // K classes + background: K + 1

  // truth, predicted: uint8 of one shape ([H, W] or [N, H, W]); values 0..labels − 1, a predicted
  // kIgnoreLabel counts as background.
  void add(const Tensor& truth, const Tensor& predicted);

  int64_t labels() const { return labels_; }
  int64_t count(int64_t truth, int64_t predicted) const {
    return counts_[truth * labels_ + predicted];
  }
  // TP / (TP + FP + FN) of each label; NaN where the label is in neither truth nor prediction.
  std::vector<double> ious() const;
  // The mean of the non-NaN ious() (PASCAL VOC's mIoU, background included).
  double mean_iou() const;

 private:
  int64_t labels_;
  std::vector<int64_t> counts_;  // [labels, labels]: rows truth, columns prediction
};

}  // namespace camlab::cam
