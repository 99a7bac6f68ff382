// The gradient-weighted activation maps: Grad-CAM and its descendants, all from the same A and
// g = dy/dA of one forward and backward (ActivationCam).
//
//   GradientCam gradcam(GradientCamKind::GradCam, "gradcam", *model, {.layers = {"relu2"}});
//   Explanation e = gradcam.explain(images);
//   // or the formulas alone, from A and g obtained any other way (both [N, K, h, w]):
//   Contributions c = gradient_cam_contributions(GradientCamKind::GradCamPlusPlus, A, g);
#pragma once

#include <string>

#include "cam/methods/activation_cam.h"

namespace camlab::cam {

enum class GradientCamKind {
  GradCam,          // w_k = mean_ij g (Selvaraju et al. 2017)
  GradCamPlusPlus,  // Chattopadhay et al. 2018, exp-score form, ε 1e-6 as pytorch-grad-cam
  XGradCam,         // w_k = Σ g·A / (Σ A + 1e-7) (Fu et al. 2020)
  LayerCam,         // ReLU(g) ⊙ A, element-wise (Jiang et al. 2021)
  HiResCam,         // g ⊙ A, element-wise (Draelos & Carin 2020)
  ElementWise,      // ReLU(g ⊙ A), each term rectified before the sum
  EigenGradCam,     // first principal component of g ⊙ A
};

// The per-channel terms of each formula: A, g [N, K, h, w] -> terms [N, K, h, w] (+ weights
// [N, K] for the channel-weighting kinds).
Contributions gradient_cam_contributions(GradientCamKind kind, const Tensor& activations,
                                         const Tensor& gradients);

class GradientCam : public ActivationCam {
 public:
  GradientCam(GradientCamKind kind, std::string name, nn::Module& model, CommonOptions common = {});

 protected:
  Contributions contributions(const CamInputs& in, size_t layer) override;

 private:
  GradientCamKind kind_;
};

}  // namespace camlab::cam
