#include "cam/metrics/road.h"

#include <algorithm>
#include <cmath>

#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// How many pixels `s < t` keeps when t is NumPy's default percentile of P distinct values, i.e.
// the linear interpolation at rank r = p/100 · (P − 1): the ranks below r, ⌈r⌉ of them.
int64_t kept_below_percentile(int64_t pixels, double p) {
  const double rank = p / 100.0 * static_cast<double>(pixels - 1);
  return static_cast<int64_t>(std::ceil(rank));
}

// Keeps the `count` pixels of smallest s, ties broken by pixel order: without ties exactly the
// pixels below the percentile. With ties the rule `s < t` would remove every pixel tied at t,
// all of them for a constant map, and leave the imputation nothing to interpolate from.
void keep_smallest(const std::vector<double>& s, int64_t count, float* keep) {
  std::vector<int64_t> order(s.size());
  for (size_t p = 0; p < s.size(); ++p) order[p] = static_cast<int64_t>(p);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return s[a] < s[b]; });
  std::fill(keep, keep + s.size(), 0.f);
  for (int64_t k = 0; k < count; ++k) keep[order[k]] = 1.f;
}

// The probability of each image's class, batch_size images per call -> float [N].
Tensor batched_probability(const ClassProbability& probability, const Tensor& images,
                           const Tensor& classes, int64_t batch_size) {
  const int64_t n = images.size(0);
  Tensor out = Tensor::empty({n}, DType::Float32);  // [N]
  for (int64_t first = 0; first < n; first += batch_size) {
    const int64_t b = std::min(batch_size, n - first);
    Tensor p = probability(images.narrow(0, first, b).contiguous(),
                           classes.narrow(0, first, b).contiguous())
                   .to(Device::cpu())
                   .to(DType::Float32)
                   .contiguous();
    CAMLAB_CHECK(p.numel() == b, "road_scores: the probability function returned {} for {} images",
                 shape_str(p.shape()), b);
    std::copy(p.data<float>(), p.data<float>() + b, out.data<float>() + first);
  }
  return out;
}

}  // namespace

Tensor road_keep_masks(const Tensor& maps_in, double percentile, RoadOrder order) {
  CAMLAB_CHECK(maps_in.dim() == 3 && maps_in.size(1) * maps_in.size(2) >= 2,
               "road_keep_masks: maps {}; expected [N, H, W] with at least 2 pixels",
               shape_str(maps_in.shape()));
  CAMLAB_CHECK(percentile > 0 && percentile < 100,
               "road_keep_masks: percentile {} must lie in (0, 100)", percentile);
  const Tensor maps = maps_in.to(Device::cpu()).to(DType::Float32).contiguous();  // [N, H, W]
  CAMLAB_CHECK(std::all_of(maps.data<float>(), maps.data<float>() + maps.numel(),
                           [](float v) { return std::isfinite(v); }),
               "road_keep_masks: the maps hold a NaN or an infinity; they have no order to remove "
               "pixels by");
  const int64_t n = maps.size(0), pixels = maps.size(1) * maps.size(2);
  Tensor keep = Tensor::empty(maps.shape(), DType::Float32);  // [N, H, W]
  for (int64_t i = 0; i < n; ++i) {
    const float* m = maps.data<float>() + i * pixels;
    std::vector<double> s(static_cast<size_t>(pixels));
    for (int64_t p = 0; p < pixels; ++p)
      s[p] = order == RoadOrder::most_relevant_first ? m[p] : 1.0f - m[p];
    keep_smallest(s, kept_below_percentile(pixels, percentile), keep.data<float>() + i * pixels);
  }
  return keep;
}

RoadScores road_scores(const ClassProbability& probability, const Tensor& images_in,
                       const Tensor& maps, const Tensor& classes_in, const RoadOptions& o) {
  CAMLAB_CHECK(images_in.dim() == 4 && maps.dim() == 3 && maps.size(0) == images_in.size(0) &&
                   maps.size(1) == images_in.size(2) && maps.size(2) == images_in.size(3),
               "road_scores: images {} and maps {} do not match; expected [N, C, H, W] and "
               "[N, H, W]",
               shape_str(images_in.shape()), shape_str(maps.shape()));
  CAMLAB_CHECK(classes_in.dim() == 1 && classes_in.size(0) == images_in.size(0),
               "road_scores: classes {} for {} images; expected int64 [N]",
               shape_str(classes_in.shape()), images_in.size(0));
  CAMLAB_CHECK(!o.percentiles.empty() && o.batch_size >= 1,
               "road_scores: {} percentiles and batch_size {}; need at least one and >= 1",
               o.percentiles.size(), o.batch_size);
  const Tensor images = images_in.to(Device::cpu()).to(DType::Float32).contiguous();  // [N,C,H,W]
  const Tensor classes = classes_in.to(Device::cpu()).to(DType::Int64).contiguous();  // [N]
  const Tensor before = batched_probability(probability, images, classes, o.batch_size);  // [N]
  Generator gen(o.seed);
  auto scores = [&](RoadOrder order) {
    std::vector<Tensor> columns;  // P × [N, 1]
    for (double p : o.percentiles) {
      const Tensor keep = road_keep_masks(maps, p, order);                             // [N, H, W]
      const Tensor filled = noisy_linear_imputation(images, keep, gen, o.imputation);  // [N,C,H,W]
      const Tensor after = batched_probability(probability, filled, classes, o.batch_size);
      columns.push_back(ops::sub(after, before).unsqueeze(1));
    }
    return ops::cat(columns, 1);  // [N, P]
  };
  RoadScores out;
  out.morf = scores(RoadOrder::most_relevant_first);
  out.lerf = scores(RoadOrder::least_relevant_first);
  out.combined = ops::mul(ops::mean(ops::sub(out.lerf, out.morf), {1}), 0.5);  // [N]
  return out;
}

}  // namespace camlab::cam
