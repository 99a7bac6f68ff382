#include "cam/metrics/road.h"

#include <algorithm>
#include <cmath>

#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// NumPy's default percentile: linear interpolation between the sorted values at rank
// p/100 · (n − 1).
double percentile_of(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const double rank = p / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (rank - static_cast<double>(lo)) * (values[hi] - values[lo]);
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
  const int64_t n = maps.size(0), pixels = maps.size(1) * maps.size(2);
  Tensor keep = Tensor::empty(maps.shape(), DType::Float32);  // [N, H, W]
  for (int64_t i = 0; i < n; ++i) {
    const float* m = maps.data<float>() + i * pixels;
    std::vector<double> s(static_cast<size_t>(pixels));
    for (int64_t p = 0; p < pixels; ++p)
      s[p] = order == RoadOrder::most_relevant_first ? m[p] : 1.0f - m[p];
    const double t = percentile_of(s, percentile);
    for (int64_t p = 0; p < pixels; ++p) keep.data<float>()[i * pixels + p] = s[p] < t ? 1.f : 0.f;
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
