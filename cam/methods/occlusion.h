// Occlusion (Zeiler & Fergus 2014): slide a square patch of the baseline value over each image
// (every channel); a pixel's attribution is the mean score drop y − y_occluded over the patches
// that cover it (0 where none does). The N·positions occluded images run batched.
//
//   Occlusion occlusion(*model, {}, {.patch = 4, .stride = 2});
//   Explanation e = occlusion.explain(images);   // e.raw: the signed mean drop [N, H, W]
#pragma once

#include "cam/methods/occlusion_options.h"
#include "cam/methods/pixel_attribution.h"

namespace camlab::cam {

class Occlusion : public PixelAttribution {
 public:
  Occlusion(nn::Module& model, CommonOptions common = {}, OcclusionOptions own = {});
  // The drop, the same for every channel: [N, C, H, W].
  Tensor attribute(const Tensor& images, const Tensor& classes, const Target& target) override;

 protected:
  // Keeps the sign: occluding a patch can raise the score.
  Tensor magnitude(const Tensor& attributions) const override;

 private:
  OcclusionOptions own_;
};

}  // namespace camlab::cam
