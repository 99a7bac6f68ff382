// Localization scores of maps against true boxes: GT-known and Top-1 Loc at one threshold,
// MaxBoxAcc over a threshold sweep (Choe et al. 2020), pointing game (Zhang et al. 2016) and
// energy-based pointing game (Wang et al. 2020, Score-CAM), mean box IoU.
//
//   LocalizationTally tally({.threshold = 0.2, .sweep = sweep_thresholds(0.01)});
//   tally.add(map_view(map), {Box{10, 12, 30, 40}}, /*top1_correct=*/true);  // per (image, class)
//   LocalizationSummary s = tally.summary();   // s.gt_known_loc, s.max_box_acc, s.best_threshold
#pragma once

#include <cstdint>
#include <vector>

#include "cam/metrics/box.h"

namespace camlab::cam {

// Thresholds 0, step, 2·step, ... below 1 (Choe et al.'s 0.01 grid by default).
std::vector<double> sweep_thresholds(double step = 0.01);

// Pointing game: the map's maximum (first in scan order on ties), at its pixel centre, lies within
// `tolerance` px (Euclidean) of one of the boxes. Zhang et al. allow 15 px at 224 px input.
bool pointing_hit(const MapView& map, const std::vector<Box>& boxes, double tolerance);
// 15 px at 224 px, scaled to an image side.
double pointing_tolerance(int64_t image_side);
// Energy pointing game: Σ map over pixels whose centre is in a box / Σ map (0 for an all-zero map).
double energy_in_boxes(const MapView& map, const std::vector<Box>& boxes);

struct LocalizationOptions {
  double threshold = 0.2;      // t of the box rule for GT-known / Top-1 Loc and mean IoU
  std::vector<double> sweep;   // thresholds for MaxBoxAcc; empty: just `threshold`
  double iou_threshold = 0.5;  // a box is right at IoU ≥ this
  double tolerance = -1;       // pointing game px; < 0: pointing_tolerance(image side)
};

struct LocalizationSummary {
  int64_t count = 0;                          // (image, class) cases
  double gt_known_loc = 0;                    // share with IoU(box, true box) ≥ iou_threshold
  double top1_loc = 0;                        // that and the top-1 prediction is right
  double mean_iou = 0;                        // mean best IoU at `threshold`
  double max_box_acc = 0;                     // best GT-known Loc over the sweep
  double best_threshold = 0;                  // where it is reached (the lowest on ties)
  double pointing_game = 0;                   // hit rate
  double energy_pointing = 0;                 // mean share of map energy inside the true boxes
  std::vector<double> sweep;                  // the thresholds
  std::vector<double> gt_known_by_threshold;  // GT-known Loc at each
};

class LocalizationTally {
 public:
  explicit LocalizationTally(LocalizationOptions options);

  // One explained class of one image: its map [H, W] and that class's true boxes (the best IoU
  // over them counts, as ILSVRC's several instances).
  void add(const MapView& map, const std::vector<Box>& true_boxes, bool top1_correct);
  LocalizationSummary summary() const;

 private:
  LocalizationOptions options_;
  int64_t count_ = 0;
  int64_t gt_known_ = 0, top1_ = 0, pointing_ = 0;
  double iou_sum_ = 0, energy_sum_ = 0;
  std::vector<int64_t> sweep_hits_;
};

}  // namespace camlab::cam
