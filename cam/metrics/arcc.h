// ARCC: one number that rewards a map for being faithful (ROAD, road.h), coherent (the map of the
// image masked by the map is the same map) and simple (small area). It is pytorch-grad-cam's
// metrics/arcc.py; ADCC (Poppi et al. 2021, "Revisiting the Evaluation of Class Activation
// Mapping for Explainability: A Novel Metric and Experimental Analysis", CVPR Workshops,
// arXiv:2104.10252) is the same harmonic mean with Average Drop where ARCC has ROAD.
//
//   MapFunction explain = [&](const Tensor& x, const Tensor& c) { return method.maps(x, c); };
//   ArccScores a = arcc(probability, explain, images, maps, classes);   // a.arcc [N] in [0, 1]
#pragma once

#include <functional>

#include "cam/metrics/road.h"

namespace camlab::cam {

// images [B, C, H, W], classes int64 [B] -> the method's maps [B, H, W] in [0, 1].
using MapFunction = std::function<Tensor(const Tensor& images, const Tensor& classes)>;

// Poppi et al. 2021, eq. 3: ‖map‖₁ / (H·W) per map, maps [N, H, W] -> [N].
Tensor map_complexity(const Tensor& maps);
// Poppi et al. 2021, eq. 2: (Pearson(map(x ⊙ map), map) + 1) / 2 per image -> [N].
Tensor map_coherency(const MapFunction& explain, const Tensor& images, const Tensor& maps,
                     const Tensor& classes);

struct ArccScores {
  Tensor complexity;  // [N]
  Tensor coherency;   // [N]
  Tensor road;        // [N] clip(2 · ROADCombined, 0, 1)
  Tensor arcc;        // [N] 3 / (1/coherency + 1/(1 − complexity) + 1/road), each term + 1e-8
};

// The three terms combined from their values (complexity, coherency, ROAD combined, each [N]).
ArccScores arcc_from_terms(const Tensor& complexity, const Tensor& coherency,
                           const Tensor& road_combined);
// ROAD at percentiles {20, 40, 60, 80} unless `road` says otherwise, as pytorch-grad-cam's ARCC.
ArccScores arcc(const ClassProbability& probability, const MapFunction& explain,
                const Tensor& images, const Tensor& maps, const Tensor& classes,
                RoadOptions road = {.percentiles = {20, 40, 60, 80}});

}  // namespace camlab::cam
