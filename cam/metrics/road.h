// ROAD, RemOve And Debias (Rong et al. 2022, "A Consistent and Efficient Evaluation Strategy for
// Attribution Methods", ICML): the class probability after a share of the pixels is removed by
// noisy linear imputation (linear_imputation.h), most relevant first (MoRF: lower is better) or
// least relevant first (LeRF: higher is better). Imputation, unlike a black fill, leaves no
// removal pattern that by itself tells the class, so the scores measure the map, not the mask.
// Conventions follow pytorch-grad-cam's metrics/road.py (ROADCombined), see docs/cam.md.
//
//   RoadScores s = road_scores(probability, images, maps, classes, {.seed = 0});
//   s.morf;      // [N, P] p(after) − p(before) per percentile
//   s.combined;  // [N] mean over percentiles of (LeRF − MoRF) / 2: higher is better
#pragma once

#include <cstdint>
#include <vector>

#include "cam/metrics/faithfulness.h"
#include "cam/metrics/linear_imputation.h"
#include "tensor/tensor.h"

namespace camlab::cam {

enum class RoadOrder { most_relevant_first, least_relevant_first };

// maps [N, H, W] -> keep masks float [N, H, W] (1 = kept). As pytorch-grad-cam: with s = map
// (MoRF) or s = 1 − map (LeRF) and t = the p-th percentile of s (NumPy's linear interpolation),
// the pixels with s ≥ t are removed, about (100 − p) % of them. Unlike pytorch-grad-cam, pixels
// tied at t are split by pixel order so the same number is kept as without ties (a constant map
// keeps p % instead of nothing).
Tensor road_keep_masks(const Tensor& maps, double percentile, RoadOrder order);

struct RoadOptions {
  std::vector<double> percentiles = {10, 20, 30, 40, 50, 60, 70, 80, 90};  // each in (0, 100)
  ImputationOptions imputation;
  uint64_t seed = 0;         // the imputation noise
  int64_t batch_size = 128;  // images per call of the probability function
};

struct RoadScores {
  Tensor morf;      // [N, P] p(x with the most relevant pixels imputed) − p(x)
  Tensor lerf;      // [N, P] the same, least relevant first
  Tensor combined;  // [N] mean_p (lerf − morf) / 2
};

RoadScores road_scores(const ClassProbability& probability, const Tensor& images,
                       const Tensor& maps, const Tensor& classes, const RoadOptions& options = {});

}  // namespace camlab::cam
