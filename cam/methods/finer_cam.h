// Finer-CAM (Zhang et al. 2025, "Finer-CAM: Spotting the difference reveals finer details for
// visual explanation"), as pytorch-grad-cam's finer_cam.py with its FinerWeightedTarget: Grad-CAM
// of a contrastive score. S, the `comparisons` classes whose logits are closest to the target's
// |y^j − y^c|, are subtracted, each weighed by its softmax probability p_j:
//   y_finer = Σ_{j∈S} p_j·(y^c − α·y^j) / (Σ_{j∈S} p_j + 1e-9),   w_k = mean_ij ∂y_finer/∂A^k_ij
// so the map keeps what tells class c from its nearest rivals. p_j is differentiated too.
//
//   FinerCam finer(*model, {.layers = {"relu4"}}, {.alpha = 1, .comparisons = 3});
//   Explanation e = finer.explain(images, Target::labels(labels));
#pragma once

#include "cam/methods/activation_cam.h"
#include "cam/methods/finer_cam_options.h"
#include "cam/methods/target.h"

namespace camlab::cam {

// The contrastive score y_finer of each image's class, [N], differentiable in the logits. S is
// chosen from the logits' values, ties in class order. Errors name `method`.
ScoreFn finer_score(const FinerCamOptions& options, std::string method = "finercam");

class FinerCam : public ActivationCam {
 public:
  FinerCam(nn::Module& model, CommonOptions common = {}, FinerCamOptions own = {});

 protected:
  // The target's classes, scored by finer_score in place of the target's own score.
  Explanation compute(const Tensor& images, const Target& target) override;
  Contributions contributions(const CamInputs& in, size_t layer) override;

 private:
  FinerCamOptions own_;
};

}  // namespace camlab::cam
