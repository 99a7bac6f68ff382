// Which test images to explain. Looking at the maps of the network's worst mistakes is how CAM
// gives insight into what it learned, so that is one flag away.
//
//   Predictions p = predict_all(*model, loader, device);       // softmax of every test image
//   std::vector<int64_t> idx = select_images("confident-wrong", p, 16, /*seed=*/0);
//   // "first", "random", "misclassified", "confident-wrong", "correct", "per-class"
#pragma once

#include <string>
#include <vector>

#include "datasets/data_loader.h"
#include "experiments/explain/indices.h"
#include "nn/module.h"

namespace camlab::experiments {

struct Predictions {
  Tensor probabilities;  // [N, K] softmax (sigmoid for multi-label) of every dataset item
  Tensor labels;         // [N] int64 (multi-label: the first present class)
};

Predictions predict_all(nn::Module& model, datasets::DataLoader& loader, Device device,
                        bool multilabel);

const std::vector<std::string>& selection_modes();
// Up to `count` dataset indices. misclassified: wrong top-1, most confident first;
// confident-wrong: the same but only predictions with probability ≥ 0.5; correct: right, most
// confident first; per-class: the first image of each class in turn; random: seeded.
std::vector<int64_t> select_images(const std::string& mode, const Predictions& predictions,
                                   int64_t count, uint64_t seed);

}  // namespace camlab::experiments
