// Score-CAM's core, shared by scorecam, fasterscorecam and sscam: each channel map, upsampled to
// the input size and min-max normalised, masks its image, and the masked image's target score is
// the channel's score. SS-CAM perturbs each mask over several copies and averages their scores.
//
//   const Tensor& a = in.activations[layer];                              // [N, K, h, w]
//   Tensor s = masked_channel_scores(model, in, a, {.batch_size = 128}, "scorecam");  // [N, K]
//   MaskedScoring noisy{.batch_size = 128, .samples = 35, .perturb = add_noise};
//   Tensor smooth = masked_channel_scores(model, in, a, noisy, "sscam");  // mean over 35 copies
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "cam/methods/activation_cam.h"
#include "cam/methods/common_options.h"
#include "nn/module.h"

namespace camlab::cam {

struct MaskedScoring {
  int64_t batch_size = kDefaultMethodBatch;  // masked images per forward, > 0
  int64_t samples = 1;                       // copies of each mask whose scores are averaged
  // masks [M, 1, H, W] in [0, 1] -> the masks to apply, [M, 1, H, W]. `first` is the index of the
  // batch's first row in the order (image, channel, copy): row r is image r / (K'·S), channel
  // (r / S) % K', copy r % S. Empty: the masks as they are.
  std::function<Tensor(const Tensor& masks, int64_t first)> perturb;
};

// Score-CAM's masks (pytorch-grad-cam's score_cam.py): maps [M, 1, h, w] upsampled to
// [M, 1, H, W] with align_corners = true, then per map (x − min) / (max − min + 1e-8).
Tensor score_cam_masks(const Tensor& maps, int64_t height, int64_t width);

// maps [N, K', h, w] (a layer's channels, or a chosen K' of them per image) -> [N, K']: the mean
// over `samples` copies of the target score of image n times the mask of its channel k'. Runs
// N·K'·S forwards of `model` without recording, `batch_size` at a time.
Tensor masked_channel_scores(nn::Module& model, const CamInputs& in, const Tensor& maps,
                             const MaskedScoring& how, std::string_view method);

}  // namespace camlab::cam
