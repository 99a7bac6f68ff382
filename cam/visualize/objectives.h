// What gradient ascent maximises, one value per image of the batch (image b optimises its own
// unit units[b], so 16 channels cost one forward and one backward per step).
//
//   Tensor a = ...;                                        // conv4's output [16, 64, 7, 7]
//   Tensor per_image = channel_objective(a, {0, 1, ..., 15}, auto_border(7, 7));   // [16]
//   Tensor score = class_objective(logits, {3, 3});        // logits[b, 3]: [2]
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::cam::visualize {

enum class Objective {
  Channel,    // mean activation of channel k, border cropped (Chollet)
  Neuron,     // the centre unit of channel k (Lucid's neuron)
  Class,      // a class logit (Simonyan et al. 2014), with an L2 penalty on the image
  DeepDream,  // mean squared activation of the whole layer, from a given image (Mordvintsev 2015)
  Diversity,  // one channel, a batch of images kept apart by a Gram-similarity penalty (Lucid)
};

std::string_view objective_name(Objective objective);  // "channel", "neuron", ...
// Error listing the valid names for anything else.
Objective parse_objective(std::string_view name);

// Chollet crops 2 pixels off each side of the feature map (activation[:, 2:-2, 2:-2, k]); small
// maps keep at least their centre: min(2, (min(h, w) − 1) / 4).
int64_t auto_border(int64_t height, int64_t width);

// act: [B, K, h, w] -> [B]: mean of act[b, units[b]] over the map without `border` px per side.
Tensor channel_objective(const Tensor& act, const std::vector<int64_t>& units, int64_t border);
// act: [B, K, h, w] -> act[b, units[b], h/2, w/2]; act: [B, K] -> act[b, units[b]]. [B]
Tensor neuron_objective(const Tensor& act, const std::vector<int64_t>& units);
// logits: [B, classes] -> logits[b, units[b]]. [B]
Tensor class_objective(const Tensor& logits, const std::vector<int64_t>& units);
// act: [B, ...] -> mean(act[b]²). [B]
Tensor deepdream_objective(const Tensor& act);

}  // namespace camlab::cam::visualize
