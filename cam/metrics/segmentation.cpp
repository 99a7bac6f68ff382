#include "cam/metrics/segmentation.h"

#include <cmath>
#include <limits>

#include "tensor/error.h"

namespace camlab::cam {

Tensor seed_mask(const Tensor& maps_in, const std::vector<int64_t>& classes, const SeedOptions& o) {
  CAMLAB_CHECK(maps_in.dim() == 3 && maps_in.size(0) == static_cast<int64_t>(classes.size()),
               "seed_mask: maps {} for {} classes; expected [P, H, W] with one map per class",
               shape_str(maps_in.shape()), classes.size());
  for (int64_t k : classes) {
    CAMLAB_CHECK(k >= 0 && k < kIgnoreLabel - 1,
                 "seed_mask: class {} cannot be written to a uint8 mask (valid 0..{})", k,
                 kIgnoreLabel - 2);
  }
  const Tensor maps = maps_in.to(Device::cpu()).to(DType::Float32).contiguous();  // [P, H, W]
  const int64_t p = maps.size(0), pixels = maps.size(1) * maps.size(2);
  std::vector<float> tops(static_cast<size_t>(p), 0.f);
  for (int64_t k = 0; k < p; ++k) {
    const float* m = maps.data<float>() + k * pixels;
    for (int64_t i = 0; i < pixels; ++i) tops[k] = std::max(tops[k], m[i]);
  }
  Tensor out = Tensor::empty({maps.size(1), maps.size(2)}, DType::UInt8);  // [H, W]
  uint8_t* seeds = out.data<uint8_t>();
  for (int64_t i = 0; i < pixels; ++i) {
    int64_t winner = -1;
    double winner_value = -1;
    bool all_low = true;
    for (int64_t k = 0; k < p; ++k) {
      if (tops[k] <= 0) continue;  // an all-zero map marks nothing
      const double relative = maps.data<float>()[k * pixels + i] / tops[k];
      if (relative >= o.background) all_low = false;
      if (relative >= o.foreground && relative > winner_value) winner = k, winner_value = relative;
    }
    seeds[i] = winner >= 0 ? static_cast<uint8_t>(classes[winner] + 1)
               : all_low   ? uint8_t{0}
                           : kIgnoreLabel;
  }
  return out;
}

ConfusionMatrix::ConfusionMatrix(int64_t labels)
    : labels_(labels), counts_(static_cast<size_t>(labels * labels), 0) {
  CAMLAB_CHECK(labels >= 2 && labels < kIgnoreLabel,
               "ConfusionMatrix: {} labels; valid 2..{} (classes + background)", labels,
               kIgnoreLabel - 1);
}

void ConfusionMatrix::add(const Tensor& truth_in, const Tensor& predicted_in) {
  CAMLAB_CHECK(truth_in.shape() == predicted_in.shape() && truth_in.dtype() == DType::UInt8 &&
                   predicted_in.dtype() == DType::UInt8,
               "ConfusionMatrix::add: truth {} {} and prediction {} {}; expected uint8 masks of "
               "one shape",
               dtype_name(truth_in.dtype()), shape_str(truth_in.shape()),
               dtype_name(predicted_in.dtype()), shape_str(predicted_in.shape()));
  const Tensor truth = truth_in.to(Device::cpu()).contiguous();
  const Tensor predicted = predicted_in.to(Device::cpu()).contiguous();
  const uint8_t* t = truth.data<uint8_t>();
  const uint8_t* p = predicted.data<uint8_t>();
  for (int64_t i = 0; i < truth.numel(); ++i) {
    const int64_t guess = p[i] == kIgnoreLabel ? 0 : p[i];
    CAMLAB_CHECK(t[i] < labels_ && guess < labels_,
                 "ConfusionMatrix::add: mask value {} (truth) or {} (prediction) at pixel {} is "
                 "out of range; valid 0..{}",
                 t[i], p[i], i, labels_ - 1);
    ++counts_[t[i] * labels_ + guess];
  }
}

std::vector<double> ConfusionMatrix::ious() const {
  std::vector<double> out;
  for (int64_t k = 0; k < labels_; ++k) {
    int64_t row = 0, column = 0;
    for (int64_t j = 0; j < labels_; ++j) row += count(k, j), column += count(j, k);
    const int64_t tp = count(k, k), uni = row + column - tp;
    out.push_back(uni > 0 ? static_cast<double>(tp) / static_cast<double>(uni)
                          : std::numeric_limits<double>::quiet_NaN());
  }
  return out;
}

double ConfusionMatrix::mean_iou() const {
  double sum = 0;
  int64_t n = 0;
  for (double v : ious()) {
    if (!std::isnan(v)) sum += v, ++n;
  }
  return n > 0 ? sum / static_cast<double>(n) : 0.0;
}

}  // namespace camlab::cam
