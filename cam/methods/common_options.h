// The options every explanation method takes: which layers, test-time augmentation, the eigen
// variant and the image shape the model expects. A method's own knobs (Score-CAM's batch size,
// SmoothGrad's samples, ...) live in its own options struct next to it (score_cam_options.h, ...).
//
//   GradientCam gradcam(GradientCamKind::GradCam, "gradcam", *model,
//                       CommonOptions{.layers = {"relu4"}, .aug_smooth = true});
//   auto scorecam = make_method("scorecam", *model, {.common = {.layers = {"relu4"}}});
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace camlab::cam {

struct CommonOptions {
  // Target layers by dotted name; empty: the last module with a 4-d output, found by a probing
  // forward. Several layers are fused: each map to the input size and min-max, then the mean.
  std::vector<std::string> layers;
  // Test-time augmentation (pytorch-grad-cam's aug_smooth): hflip x brightness {0.9, 1, 1.1},
  // explained in one batch for the classes of the unaugmented images, flips undone, raw maps
  // averaged.
  bool aug_smooth = false;
  // First principal component of the terms w_k·A^k instead of their sum (activation-map methods;
  // the pixel methods ignore it).
  bool eigen_smooth = false;
  // {C, H, W} the model expects; empty checks channels against the first Conv2d only.
  std::vector<int64_t> image_shape;
};

// `common` with eigen_smooth off, for methods whose map is not a sum of channel terms (KPCA-CAM and
// Seg-Eigen-CAM, a projection already; DFF, one concept's map): pytorch-grad-cam ignores the flag
// there, and a projection of the single map would only centre it.
inline CommonOptions without_eigen_smooth(CommonOptions common) {
  common.eigen_smooth = false;
  return common;
}

// The default images per forward for the extra forwards of Score-CAM, Ablation-CAM, occlusion,
// integrated gradients and SmoothGrad: large enough to keep a CPU busy, small enough for 28x28
// to 64x64 inputs to stay well under a gigabyte.
inline constexpr int64_t kDefaultMethodBatch = 128;

}  // namespace camlab::cam
