// Seg-Eigen-CAM (Chung & Ying 2025, "Seg-Eigen-CAM: Eigen-Value-Based Visual Explanations for
// Semantic Segmentation Models", Applied Sciences 15(13), 7562), as pytorch-grad-cam's
// seg_eigen_cam.py: Eigen-CAM of the gradient-weighted activations, with the SVD's sign fixed so
// that the salient side is positive.
//   T = |∂y/∂A| ⊙ A                      (Eq. 10: pixel-wise weights, negative gradients kept)
//   p = T_c·v₁                           (Eq. 11-12: each image's T as [h·w, K], columns
//                                         centred, on its first right singular vector)
//   p ← −p  where |min p| > |max p|      (Eq. 13: sign correction)
//   map = ReLU(p)
// Unlike Eigen-CAM (whose sign camlab fixes by agreement with the mean activation) the map is
// class-specific through the gradients. eigen_smooth has no effect (the map is a projection).
//
//   SegEigenCam cam(*model, {.layers = {"relu4"}});
//   Explanation e = cam.explain(images, Target::labels(labels));   // e.raw [N, h, w]
#pragma once

#include "cam/methods/activation_cam.h"

namespace camlab::cam {

// terms [N, K, h, w] -> p [N, h, w]: the first principal component's projection, sign-corrected
// (Eq. 13), before the ReLU.
Tensor sign_corrected_component(const Tensor& terms);

class SegEigenCam : public ActivationCam {
 public:
  SegEigenCam(nn::Module& model, CommonOptions common = {});

 protected:
  Contributions contributions(const CamInputs& in, size_t layer) override;
};

}  // namespace camlab::cam
