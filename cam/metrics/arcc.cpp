#include "cam/metrics/arcc.h"

#include <vector>

#include "cam/metrics/faithfulness.h"
#include "cam/metrics/spearman.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {

Tensor map_complexity(const Tensor& maps) {
  CAMLAB_CHECK(maps.dim() == 3, "map_complexity: maps {}; expected [N, H, W]",
               shape_str(maps.shape()));
  return ops::mean(ops::abs(maps.to(DType::Float32)), {1, 2});  // [N]
}

Tensor map_coherency(const MapFunction& explain, const Tensor& images, const Tensor& maps_in,
                     const Tensor& classes) {
  const Tensor maps = maps_in.to(Device::cpu()).to(DType::Float32).contiguous();  // [N, H, W]
  const Tensor again = explain(mask_inputs(images, maps), classes)
                           .to(Device::cpu())
                           .to(DType::Float32)
                           .contiguous();  // [N, H, W]
  CAMLAB_CHECK(again.shape() == maps.shape(),
               "map_coherency: the map function returned {} for maps {}", shape_str(again.shape()),
               shape_str(maps.shape()));
  const int64_t n = maps.size(0);
  std::vector<float> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double r = pearson(flat_values(again.select(0, i)), flat_values(maps.select(0, i)));
    out[i] = static_cast<float>((r + 1) / 2);
  }
  return Tensor::from_vector(out, {n});
}

ArccScores arcc_from_terms(const Tensor& complexity, const Tensor& coherency,
                           const Tensor& road_combined) {
  CAMLAB_CHECK(complexity.dim() == 1 && complexity.shape() == coherency.shape() &&
                   complexity.shape() == road_combined.shape(),
               "arcc: complexity {}, coherency {} and road {} must all be [N]",
               shape_str(complexity.shape()), shape_str(coherency.shape()),
               shape_str(road_combined.shape()));
  constexpr double kEps = 1e-8;  // pytorch-grad-cam's guard against a zero term
  ArccScores s{.complexity = complexity, .coherency = coherency};
  // ROADCombined lies in [−0.5, 0.5] for probabilities; scaled to [0, 1] and clipped.
  s.road = ops::clamp(ops::mul(road_combined, 2.0), 0.0, 1.0);
  auto inverse = [&](const Tensor& t) { return ops::div(ops::ones(t.shape()), ops::add(t, kEps)); };
  const Tensor sum = ops::add(
      ops::add(inverse(coherency), inverse(ops::sub(ops::ones(complexity.shape()), complexity))),
      inverse(s.road));
  s.arcc = ops::div(ops::full(sum.shape(), 3.0), sum);  // harmonic mean of the three
  return s;
}

ArccScores arcc(const ClassProbability& probability, const MapFunction& explain,
                const Tensor& images, const Tensor& maps, const Tensor& classes, RoadOptions road) {
  const RoadScores r = road_scores(probability, images, maps, classes, road);
  return arcc_from_terms(map_complexity(maps.to(Device::cpu())),
                         map_coherency(explain, images, maps, classes), r.combined);
}

}  // namespace camlab::cam
