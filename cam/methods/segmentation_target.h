// A segmentation model's target: the sum of class c's pixel logits under a mask, so the gradient
// methods explain "why these pixels are c" (pytorch-grad-cam's SemanticSegmentationTarget:
// (output[c] * mask).sum()). The model returns per-pixel logits [N, K, H, W].
//
//   // the region the segmenter predicts as class 3 (argmax over classes == 3), per image:
//   Explanation e = gradcam->explain(images, Target::fixed(3).with_score(segmentation_score()));
//   // a region of your own, [N, H, W] (or [H, W] for every image) of 0/1 (or soft) weights:
//   Target::fixed(3).with_score(segmentation_score(road_mask));
#pragma once

#include "cam/methods/target.h"
#include "tensor/tensor.h"

namespace camlab::cam {

// score_n = Σ_{h,w} y[n, c_n, h, w] · mask[n, h, w]. An undefined mask is each image's predicted
// region of its class, [argmax_k y[n, k, h, w] == c_n] (taken from the logits' values, so it
// carries no gradient). A given mask [M, H, W] with N a multiple of M is tiled over the rows, so
// the several-targets batching (multi_target.h) can repeat the images. Row r gets mask r mod M:
// methods that score chunks of mixed copies (Score-CAM's family, occlusion, IG, SmoothGrad) break
// that order, so give them one image per call with M = 1, as camlab explain does
// (experiments/explain/explain.h).
ScoreFn segmentation_score(const Tensor& mask = Tensor());

}  // namespace camlab::cam
