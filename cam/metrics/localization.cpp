#include "cam/metrics/localization.h"

#include <algorithm>
#include <cmath>

#include "tensor/error.h"

namespace camlab::cam {
namespace {

double best_iou(const Box& box, const std::vector<Box>& truth) {
  double best = 0;
  for (const Box& t : truth) best = std::max(best, iou(box, t));
  return best;
}

// Distance from a point to a box (0 inside).
double distance(double x, double y, const Box& b) {
  const double dx = std::max({b.x0 - x, 0.0, x - b.x1});
  const double dy = std::max({b.y0 - y, 0.0, y - b.y1});
  return std::hypot(dx, dy);
}

}  // namespace

std::vector<double> sweep_thresholds(double step) {
  CAMLAB_CHECK(step > 0 && step <= 1, "sweep_thresholds: step {} outside (0, 1]", step);
  std::vector<double> out;
  const auto count = static_cast<int64_t>(std::ceil(1.0 / step - 1e-9));
  for (int64_t i = 0; i < count; ++i) out.push_back(static_cast<double>(i) * step);
  return out;
}

double pointing_tolerance(int64_t image_side) {
  return 15.0 * static_cast<double>(image_side) / 224.0;
}

bool pointing_hit(const MapView& map, const std::vector<Box>& boxes, double tolerance) {
  const int64_t n = map.height * map.width;
  const int64_t at = std::max_element(map.values, map.values + n) - map.values;
  const double x = static_cast<double>(at % map.width) + 0.5;
  const double y = static_cast<double>(at / map.width) + 0.5;
  return std::any_of(boxes.begin(), boxes.end(),
                     [&](const Box& b) { return distance(x, y, b) <= tolerance; });
}

double energy_in_boxes(const MapView& map, const std::vector<Box>& boxes) {
  double inside = 0, total = 0;
  for (int64_t y = 0; y < map.height; ++y) {
    for (int64_t x = 0; x < map.width; ++x) {
      const double v = map.at(x, y);
      total += v;
      const double cx = static_cast<double>(x) + 0.5, cy = static_cast<double>(y) + 0.5;
      const bool in = std::any_of(boxes.begin(), boxes.end(), [&](const Box& b) {
        return cx >= b.x0 && cx <= b.x1 && cy >= b.y0 && cy <= b.y1;
      });
      if (in) inside += v;
    }
  }
  return total > 0 ? inside / total : 0.0;
}

LocalizationTally::LocalizationTally(LocalizationOptions options) : options_(std::move(options)) {
  if (options_.sweep.empty()) options_.sweep = {options_.threshold};
  sweep_hits_.assign(options_.sweep.size(), 0);
}

void LocalizationTally::add(const MapView& map, const std::vector<Box>& true_boxes,
                            bool top1_correct) {
  CAMLAB_CHECK(!true_boxes.empty(), "localization: a case without a true box cannot be scored");
  const double overlap = best_iou(box_from_map(map, options_.threshold), true_boxes);
  const bool hit = overlap >= options_.iou_threshold;
  ++count_;
  gt_known_ += hit;
  top1_ += hit && top1_correct;
  iou_sum_ += overlap;
  const double tolerance = options_.tolerance >= 0
                               ? options_.tolerance
                               : pointing_tolerance(std::max(map.height, map.width));
  pointing_ += pointing_hit(map, true_boxes, tolerance);
  energy_sum_ += energy_in_boxes(map, true_boxes);
  for (size_t i = 0; i < options_.sweep.size(); ++i) {
    sweep_hits_[i] +=
        best_iou(box_from_map(map, options_.sweep[i]), true_boxes) >= options_.iou_threshold;
  }
}

LocalizationSummary LocalizationTally::summary() const {
  LocalizationSummary s;
  s.count = count_;
  s.sweep = options_.sweep;
  if (count_ == 0) return s;
  const auto n = static_cast<double>(count_);
  s.gt_known_loc = static_cast<double>(gt_known_) / n;
  s.top1_loc = static_cast<double>(top1_) / n;
  s.mean_iou = iou_sum_ / n;
  s.pointing_game = static_cast<double>(pointing_) / n;
  s.energy_pointing = energy_sum_ / n;
  for (size_t i = 0; i < sweep_hits_.size(); ++i) {
    const double acc = static_cast<double>(sweep_hits_[i]) / n;
    s.gt_known_by_threshold.push_back(acc);
    if (acc > s.max_box_acc || i == 0) s.max_box_acc = acc, s.best_threshold = s.sweep[i];
  }
  return s;
}

}  // namespace camlab::cam
